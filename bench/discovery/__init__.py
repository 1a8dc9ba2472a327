"""Discovery bench: our collector and inventory sync against an emulated AWS estate."""
