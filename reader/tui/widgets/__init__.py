"""The UI's widgets: the text view and its pane, the annotation list, the document list, bars."""
