"""Facts found in the paragraphs' text: mentions of named things, and stated quantities."""
