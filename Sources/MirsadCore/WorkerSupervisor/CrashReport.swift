import MirsadWire

/// One line written by the worker's crash handler: the signal that killed the process and the job its crashing
/// thread was analysing (nil when that thread ran no analysis).
public struct CrashReport: Sendable, Hashable {
    public var signal: Int32
    public var jobID: String?

    public init(signal: Int32, jobID: String?) {
        self.signal = signal
        self.jobID = jobID
    }

    /// The failure the next process reports for the job in its HELLO (`crashed`); nil when no job was named.
    public var jobFailure: Mirsad_V1_JobFailure? {
        guard let jobID else { return nil }
        var failure = Mirsad_V1_JobFailure()
        failure.jobID = jobID
        failure.error = "worker process crashed with \(SignalName.of(signal)) while analysing it"
        return failure
    }

    /// Every well-formed report in what a crash handler wrote (`CRASH <signal> <length> <job id bytes>\n`, see
    /// worker_crash.h); anything else (a line cut short by the process dying, stray bytes) is skipped.
    public static func parse(_ bytes: [UInt8]) -> [CrashReport] {
        let prefix = Array("CRASH ".utf8)
        var reports: [CrashReport] = []
        var index = 0
        /// Reads decimal digits up to a space at `index`; nil when there are none or no space follows.
        func number() -> Int? {
            var value = 0, digits = 0
            while index < bytes.count, let digit = bytes[index].asciiDigit, digits < 10 {
                value = value * 10 + digit
                digits += 1
                index += 1
            }
            guard digits > 0, index < bytes.count, bytes[index] == UInt8(ascii: " ") else { return nil }
            index += 1
            return value
        }
        while index < bytes.count {
            let lineStart = index
            if bytes.count - index >= prefix.count, Array(bytes[index..<(index + prefix.count)]) == prefix {
                index += prefix.count
                if let signal = number(), let length = number(), length <= bytes.count - index,
                   index + length < bytes.count, bytes[index + length] == UInt8(ascii: "\n") {
                    let id = String(decoding: bytes[index..<(index + length)], as: UTF8.self)
                    reports.append(CrashReport(signal: Int32(signal), jobID: length == 0 ? nil : id))
                    index += length + 1
                    continue
                }
            }
            // Not a report: skip to the next line.
            index = lineStart
            while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
            index += 1
        }
        return reports
    }
}

private extension UInt8 {
    var asciiDigit: Int? { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) ? Int(self - UInt8(ascii: "0")) : nil }
}
