"""The project's date formats where Django's own differ from how people here write dates
(FORMAT_MODULE_PATH): only the formats named in a language's module are replaced."""
