// Placeholder: ZeroMQ is built in its own change.
