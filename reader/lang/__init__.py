"""Languages and scripts: detection, BCP 47 tags, the detection cache, sentences, bidi."""
