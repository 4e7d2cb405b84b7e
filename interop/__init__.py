"""`make interop`: our exports checked by their real consumers (Label Studio, doccano, brat, spaCy, datasets)."""
