import Foundation
import MirsadCore
import MirsadWire

/// One fuzz input through the frame codec and the dispatcher's state machine. Traps (so libFuzzer reports the input)
/// when a property fails: a decoded message that does not survive encoding and decoding again, or a dispatcher whose
/// own invariants break. Crashes and hangs in the code under test are found by libFuzzer itself.
enum FuzzTarget {
    static let senders: [RoutingID] = [Array("w".utf8), Array("c".utf8), Array("p".utf8), [0, 1, 2, 3, 4]]

    static func run(_ bytes: UnsafeRawBufferPointer) {
        let messages = FuzzInput.messages(bytes)
        var clock = DispatcherTime(monotonic: MonotonicInstant(sinceOrigin: .seconds(1)), wall: UnixTime(milliseconds: 1_764_000_000_000))
        let journal = InMemoryJobJournal(clock: { UnixTime(milliseconds: 1_764_000_000_000) })
        var machine = DispatcherStateMachine(configuration: .init(), journal: journal, now: clock)
        for (index, message) in messages.enumerated() {
            checkCodec(message.frames)
            _ = machine.received(frames: [senders[Int(message.sender)]] + message.frames, now: clock)
            if index % 4 == 3 {
                clock = DispatcherTime(monotonic: clock.monotonic.advanced(by: .seconds(2)), wall: clock.wall)
                _ = machine.tick(now: clock)
            }
            try? machine.commit()
        }
        let problems = machine.invariantViolations()
        if !problems.isEmpty { fatalError("dispatcher invariants broken: \(problems)") }
    }

    /// What decodes must encode and decode to the same message.
    static func checkCodec(_ frames: [[UInt8]]) {
        for reading in [MirsadMessage.Reading.decoded, .passThrough] {
            guard let message = try? FrameCodec.decode(frames, reading: reading) else { continue }
            guard let encoded = try? FrameCodec.encode(message) else { fatalError("\(message.command) decoded but does not encode") }
            guard let again = try? FrameCodec.decode(encoded, reading: reading) else {
                fatalError("\(message.command) decoded, encoded, and no longer decodes")
            }
            if reading == .decoded, again != message { fatalError("\(message.command) changed in an encode-decode round trip") }
        }
    }
}

/// libFuzzer's entry point (with `-sanitize=fuzzer`; see `scripts/fuzz.sh`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    FuzzTarget.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

#if FUZZING
/// libFuzzer's driver, for a program with a `main` of its own (LLVM 11 and later).
@_extern(c, "LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// SwiftPM links an executable target's entry point as `<module>_main` (and `main` to it), so the fuzzing build
/// provides that entry point and hands over to libFuzzer's driver.
@_cdecl("mirsad_fuzz_main")
public func fuzzingMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in
        guard let data else { return 0 }
        return fuzzTestOneInput(data, size)
    }
}
#endif
