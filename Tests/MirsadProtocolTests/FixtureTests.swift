import Foundation
import SwiftProtobuf
import Testing
@testable import MirsadWire

/// Golden messages: the committed bytes decode to the catalogued values and the values encode to the same bytes.
///
/// To regenerate after a deliberate change: `MIRSAD_WRITE_FIXTURES=1 swift test --filter FixtureTests`.
@Suite struct FixtureTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protocols/fixtures")

    /// The `.txt` description of a fixture: command name and byte, then the body in protobuf text format.
    static func description(of message: MirsadMessage) -> String {
        let text = message.body.textFormatString()
        return "# command: \(message.command) (0x\(String(format: "%02X", message.command.rawValue)))\n"
            + "# frames: [\"MRSD1\"] [0x\(String(format: "%02X", message.command.rawValue))] [body: \(try! FrameCodec.encode(message)[2].count) bytes, see .bin]\n"
            + text
    }

    @Test(arguments: FixtureCatalog.all.map(\.name))
    func fixtureDecodesToItsValueAndReencodesToTheSameBytes(name: String) throws {
        let fixture = try #require(FixtureCatalog.all.first { $0.name == name })
        let binURL = Self.directory.appendingPathComponent("\(name).bin")
        let txtURL = Self.directory.appendingPathComponent("\(name).txt")
        let encoded = try FrameCodec.encode(fixture.message)
        if ProcessInfo.processInfo.environment["MIRSAD_WRITE_FIXTURES"] == "1" {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            try Data(encoded[2]).write(to: binURL)
            try Self.description(of: fixture.message).write(to: txtURL, atomically: true, encoding: .utf8)
        }
        let body = try [UInt8](Data(contentsOf: binURL))
        let decoded = try FrameCodec.decode([FrameCodec.protocolID, [fixture.message.command.rawValue], body])
        #expect(decoded == fixture.message)
        #expect(encoded[2] == body, "encoding of \(name) differs from the committed bytes")
        #expect(try String(contentsOf: txtURL, encoding: .utf8) == Self.description(of: fixture.message))
    }

    @Test func everyCommandHasAFixture() {
        let covered = Set(FixtureCatalog.all.map(\.message.command))
        #expect(covered == Set(Command.allCases))
    }
}
