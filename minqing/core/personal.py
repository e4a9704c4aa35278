"""Personal data as a type: ID numbers and phones are encrypted in the database,
carry a keyed hash for look-up, and print masked unless explicitly revealed."""

from django.db import models

from . import crypto
from .identity import mask_id_number, mask_phone, normalize_id_number, normalize_phone


class PersonalValue:
    """A decrypted identifier that shows itself masked. `reveal()` is for services
    that have checked the unmask permission and written the audit row."""

    kind = ""
    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def mask(self) -> str:
        raise NotImplementedError

    def reveal(self) -> str:
        return self._value

    def __str__(self) -> str:
        return self.mask()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.mask()}>"

    def __html__(self) -> str:
        return self.mask()

    def __eq__(self, other) -> bool:
        if isinstance(other, PersonalValue):
            return type(self) is type(other) and self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash((type(self), self._value))

    def __bool__(self) -> bool:
        return bool(self._value)


class IdNumber(PersonalValue):
    kind = "id_number"
    __slots__ = ()

    def mask(self) -> str:
        return mask_id_number(self._value)


class Phone(PersonalValue):
    kind = "phone"
    __slots__ = ()

    def mask(self) -> str:
        return mask_phone(self._value)


NORMALIZERS = {IdNumber: normalize_id_number, Phone: normalize_phone}


class EncryptedField(models.TextField):
    """Stores AES-GCM ciphertext; yields a PersonalValue of `value_class`."""

    def __init__(self, *args, value_class=IdNumber, **kwargs):
        self.value_class = value_class
        kwargs.setdefault("blank", True)
        kwargs.setdefault("null", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["value_class"] = self.value_class
        return name, path, args, kwargs

    @property
    def context(self) -> bytes:
        return self.value_class.kind.encode()

    def to_python(self, value):
        if value is None or value == "" or isinstance(value, PersonalValue):
            return value or None
        return self.value_class(NORMALIZERS[self.value_class](value))

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return self.value_class(crypto.decrypt(value, context=self.context))

    def get_prep_value(self, value):
        value = self.to_python(value)
        if value is None:
            return None
        return crypto.encrypt(value.reveal(), context=self.context)

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return value.mask() if value else ""


def lookup_hash_for(value_class, value) -> str | None:
    if not value:
        return None
    plain = value.reveal() if isinstance(value, PersonalValue) else NORMALIZERS[value_class](value)
    return crypto.lookup_hash(plain, context=value_class.kind.encode())


class LookupHashField(models.CharField):
    """The keyed hash of another EncryptedField on the same model, kept in step on save."""

    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        source_field = model_instance._meta.get_field(self.source)
        value = source_field.to_python(getattr(model_instance, self.source))
        digest = lookup_hash_for(source_field.value_class, value)
        setattr(model_instance, self.attname, digest)
        return digest
