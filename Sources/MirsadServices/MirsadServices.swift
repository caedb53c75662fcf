// Placeholder: MirsadServices is built in its own change.
