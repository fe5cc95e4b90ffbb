"""Property-based fuzzing of the frame decoders."""
