"""The UI's services: quitting, language detection, team sync, file watching, the clipboard."""
