"""Migration operations for big tables: on PostgreSQL an index is built and dropped CONCURRENTLY, so
uploads keep writing to the table while `migrate` runs (a plain CREATE INDEX blocks every write to it
until the index is built: minutes on a province's visits). Elsewhere as Django's own. A migration
using them sets `atomic = False` (CONCURRENTLY cannot run inside a transaction)."""

from django.db import migrations


def _add(schema_editor, model, index):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(model, index, concurrently=True)
    else:
        schema_editor.add_index(model, index)


def _remove(schema_editor, model, index):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(model, index, concurrently=True)
    else:
        schema_editor.remove_index(model, index)


class AddIndexConcurrently(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            _add(schema_editor, model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            _remove(schema_editor, model, self.index)


class RemoveIndexConcurrently(migrations.RemoveIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            index = from_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
            _remove(schema_editor, model, index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            index = to_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
            _add(schema_editor, model, index)
