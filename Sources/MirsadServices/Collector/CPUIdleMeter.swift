import Foundation
import MirsadCore

/// The idle time of the cores the calling thread may run on, from `/proc/stat` (Linux). Written by hand: none of the
/// libraries on hand reads per-core idle time.
///
/// `idleCores(from:to:)` is the average number of those cores that were idle (idle or waiting for I/O) between two
/// samples: 0 when every core was busy, the core count when none was.
public struct CPUIdleMeter: Sendable {
    /// Idle ticks summed over the cores, at one moment.
    public struct Sample: Sendable, Hashable {
        public var idleTicks: UInt64
        public var at: ContinuousClock.Instant
    }

    /// The cores counted.
    public let cores: Set<Int>
    private let ticksPerSecond: Double

    /// A meter of the cores the calling thread may run on; nil where that cannot be read (not Linux).
    public init?() {
        #if os(Linux)
        // `Cpus_allowed_list` is the thread's affinity (taskset, cpusets), without a C call Swift cannot see here.
        guard let status = try? String(contentsOfFile: "/proc/thread-self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }),
              let cores = Self.cores(list: line.dropFirst("Cpus_allowed_list:".count))
        else { return nil }
        let hertz = sysconf(Int32(_SC_CLK_TCK))
        guard hertz > 0 else { return nil }
        self.init(cores: cores, ticksPerSecond: Double(hertz))
        guard sample() != nil else { return nil }
        #else
        return nil
        #endif
    }

    init(cores: Set<Int>, ticksPerSecond: Double) {
        self.cores = cores
        self.ticksPerSecond = ticksPerSecond
    }

    /// Now's idle ticks of the meter's cores; nil when `/proc/stat` cannot be read.
    public func sample() -> Sample? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let ticks = Self.idleTicks(procStat: text, cores: cores) else { return nil }
        return Sample(idleTicks: ticks, at: .now)
    }

    /// Idle cores on average from `earlier` to `later`.
    public func idleCores(from earlier: Sample, to later: Sample) -> Double? {
        let seconds = (later.at - earlier.at).inSeconds
        guard seconds > 0, later.idleTicks >= earlier.idleTicks else { return nil }
        return Double(later.idleTicks - earlier.idleTicks) / ticksPerSecond / seconds
    }

    /// The cores of a kernel CPU list such as `0-3,8,10-11`; nil when malformed or empty.
    static func cores<Text: StringProtocol>(list: Text) -> Set<Int>? {
        var cores = Set<Int>()
        for part in list.split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
                .map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard (1...2).contains(bounds.count), let low = bounds.first ?? nil, let high = bounds.last ?? nil,
                  low >= 0, low <= high, high < 1 << 16 else { return nil }
            cores.formUnion(low...high)
        }
        return cores.isEmpty ? nil : cores
    }

    /// The idle and I/O-wait ticks of `cores` in the text of `/proc/stat` (lines `cpuN user nice system idle iowait
    /// …`); nil when a core's line is missing or malformed.
    static func idleTicks(procStat text: String, cores: Set<Int>) -> UInt64? {
        var total: UInt64 = 0
        var found = 0
        for line in text.split(separator: "\n") where line.hasPrefix("cpu") {
            let fields = line.split(separator: " ")
            guard let core = Int(fields[0].dropFirst(3)), cores.contains(core) else { continue }
            guard fields.count > 5, let idle = UInt64(fields[4]), let wait = UInt64(fields[5]) else { return nil }
            total += idle + wait
            found += 1
        }
        return found == cores.count ? total : nil
    }
}
