// Placeholder: ReportStore is built in its own change.
