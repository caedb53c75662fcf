import MirsadWire
/// What a dispatcher link has to say to whoever reads the logs.
public enum DispatcherLinkNotice: Sendable, Equatable {
    /// The dispatcher refused a message with ERROR (any code but `UNKNOWN_PEER`): a fault to look into.
    case refused(code: Mirsad_V1_ErrorCode, message: String)
    /// ERROR `UNKNOWN_PEER`: the dispatcher restarted or declared this peer dead, and the session starts again.
    /// Routine recovery. `helloSent`: false when a HELLO was already on its way and this one answers it.
    case forgotten(helloSent: Bool)
    /// The dispatcher said BYE (it is stopping); the link says HELLO again.
    case dispatcherLeft(reason: String, helloSent: Bool)
    /// Nothing heard from the dispatcher for `silentFor`, past the liveness timeout: a new connection is opened
    /// after `reconnectingIn`, unless the dispatcher is heard from before.
    case dispatcherSilent(silentFor: Duration, reconnectingIn: Duration)
    /// The new connection is open and HELLO is on its way.
    case reconnected
}
