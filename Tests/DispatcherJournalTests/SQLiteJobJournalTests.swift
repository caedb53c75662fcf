import Testing
@testable import DispatcherJournal
