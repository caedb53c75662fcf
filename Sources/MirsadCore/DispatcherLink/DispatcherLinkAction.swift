import MirsadWire
/// What the I/O loop around a `DispatcherLinkStateMachine` must do, in order.
public enum DispatcherLinkAction: Sendable, Equatable {
    /// Send this message on the link's DEALER.
    case send(MirsadMessage)
    /// Close the DEALER and open a new one to the same endpoint: what was queued on the old one is dropped. The
    /// HELLO that follows goes out on the new one.
    case reconnect
    /// A message for the service (a WELCOME included, after the link took its timing).
    case deliver(MirsadMessage)
    /// Something to log.
    case notice(DispatcherLinkNotice)
}
