// Placeholder: MirsadProtocol is built in its own change.
