package io.arborcast.sim.report;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

import java.util.Map;

/**
 * A run's summary.json: what ran, at what cost, the workload's section ({@code dht},
 * {@code gossip} or {@code stream}: one of them), an attack's section, and the network's
 * traffic. A figure not measurable in a run is NaN or null and absent from the file.
 *
 * @param partitions the engine's partitions, null on one queue
 */
public record Summary(String scenario, long seed, int nodes, double virtualSeconds, double wallSeconds, long events,
                      long eventsPerSecond, long peakHeapBytes, Integer partitions, Dht dht, Gossip gossip,
                      Stream stream, Attack attack, Network network) {

    /** What a workload measured: its section of the summary. */
    public sealed interface Section permits Dht, Gossip, Stream {
    }

    /** An attack's section. */
    public sealed interface Attack permits RelayAttack, Sybil {
    }

    /** This summary with the figures that depend on the machine (wall time, speed, heap) zeroed. */
    public Summary withoutWallClock() {
        return new Summary(scenario, seed, nodes, virtualSeconds, 0, events, 0, 0, partitions, dht, gossip, stream,
                attack, network);
    }

    /**
     * Datagrams sent (lost, or to nodes that were gone), and every message sent by type: how many,
     * and their bytes with framing (what each type costs the uplinks; the stream's control
     * overhead is all but the stream messages' bytes over theirs).
     */
    public record Network(long datagrams, long datagramBytes, long datagramsLost, long droppedToDeadOrUnreachable,
                          Map<String, Long> messagesByType, Map<String, Long> bytesByType) {
    }

    /**
     * Lookups checked against the truth, and joins.
     *
     * @param lookup           null: FIND_NODE lookups (then {@code closestFound} says how many found the true k closest)
     * @param recordFound      FIND_VALUE lookups: the share that brought back the channel's record
     * @param directory        directory lookups' figures (null otherwise)
     * @param arrivals         with churn or a mass failure: nodes that arrived and departed
     */
    public record Dht(int lookups, String lookup, Double recordFound, Double providerFound,
                      @JsonUnwrapped Directory directory, int lookupsAbandoned, long lookupsStuckAtLiveNodes,
                      double lookupSuccess, Double closestFound, Double closestFoundStrict, double hopsMedian,
                      double hopsP99, double lookupLatencyMsMedian, double lookupLatencyMsP99, int joins,
                      int joinFailures, double joinMsMedian, double routingTableMean, Integer arrivals,
                      Integer departures) implements Section {
    }

    /** The channel directory's finds and listing traffic; {@code flood}: a fake-listing flood's effect, if any. */
    public record Directory(int channelsListed, int genres, int finds, double channelsFound, double findsComplete,
                            double findMsMedian, double findMsP99, long listingPagesServed, long listingPagesLost,
                            double busiestNodePagesPerSecond, int nodesServingPages, long listingStoresAccepted,
                            long listingStoresRefused, long listingStoresUnreachable, @JsonUnwrapped Flood flood) {
    }

    /** Hosts that flooded a genre with made-up channels, and what finds of that genre then brought. */
    public record Flood(int floodHosts, long floodListings, int floodedGenreFinds, double floodedGenreRealFound,
                        double floodedGenreFakesPerAnswer) {
    }

    /** Membership: the overlay's connectivity and failure detection. */
    public record Gossip(double largestComponentShare, double largestComponentShareBeforeFailure, int crashed,
                         long falsePositiveDeaths, double falsePositivesPerPeerHour, int detections,
                         double detectionMsMedian, double detectionMsP99, double controlBytesPerPeerPerSecond,
                         double activeViewMean) implements Section {
    }

    /**
     * What the listeners who stayed a minute played, and what the tree and its control traffic
     * cost. Latency is from the source's cut of a chunk to its playout by the scenario's player
     * ({@code stream.player}), which starts on the listener's first chunk and waits when the next
     * is not there on its turn (a stall); the floor, a path's one-way delays. A player that keeps
     * time stays that much later; the keep-time figures are such a player's, beside one that
     * catches up. Stalls per hour of listening, and the share of that time spent stalled; and
     * how often a player that keeps time stalls (each stall leaves it later, so it stalls less).
     */
    public record Stream(double continuityIndex, double startupDelayMsMedian, double startupDelayMsP95,
                         double latencyMsMedian, double latencyMsP95, double latencyMsP99, double latencyFloorMsMedian,
                         double keepTimeLatencyMsMedian, double keepTimeLatencyMsP95, double stallsPerHour,
                         double stalledShare, double keepTimeStallsPerHour,
                         long repairs, double repairLatencyMsMedian, double repairLatencyMsP95, long skippedChunks,
                         long duplicateChunks, long maxDepth, double meanDepth, long attachedNotConnected,
                         long depthBeliefStale, double sourceUploadRatio, Map<String, Double> sourceUploadByType,
                         double controlOverhead, int listenersMeasured, Reachability byReachability,
                         UploadClasses byUploadClass, long attachesSent, long refusalsReceived,
                         Map<String, Long> refusalReasons, long pullsServed, long pullsRefused, long chunksPulled,
                         MassFailure massFailure, Limits limits) implements Section {
    }

    /** Listeners' figures by reachability class (keyed by its name), and how NATed peers were reached. */
    public record Reachability(@JsonAnyGetter Map<String, ClassFigures> byClass, long reversalsAsked,
                               long reversalsServed, long reversalsRefused, long punchesAsked, long punchesSucceeded,
                               long punchesFailed) {
    }

    /** The figures of one class of listeners. */
    public record ClassFigures(double gossipActiveViewMean, double gossipPassiveViewMean, int listenersMeasured,
                               double continuityIndex, long skippedChunks, double startupDelayMsMedian,
                               double repairLatencyMsMedian) {
    }

    /** Listeners' figures by uplink class (keyed "kbps kbit/s (share)"), and the slots offered per live listener. */
    public record UploadClasses(@JsonAnyGetter Map<String, UploadClassFigures> byClass, double slotsPerListener) {
    }

    /** The figures of one uplink class. */
    public record UploadClassFigures(int slotsEach, int live, double childrenMean, double depthMean,
                                     int listenersMeasured, double continuityIndex, long skippedChunks) {
    }

    /** How the survivors whose parent crashed in the mass failure were fed again. */
    public record MassFailure(int orphans, int fedAgain, double fedAgainWithin10s, double fedAgainMsMedian,
                              double fedAgainMsP95, double fedAgainMsMax) {
    }

    /** The physical limits the stream's results are held against. */
    public record Limits(int sourceUploadFloor, int depthBound, double startupFloorMs) {
    }

    /**
     * Forgers or attach flooders among the relays: what reached honest listeners.
     *
     * @param flood the attach flood's volume and what it got (null for forgers)
     */
    public record RelayAttack(String kind, long forgedChunksPlayed, long forgedChunksPlayedByForgers,
                              long hostileRelays, long badChunksRejected, long badParentsLeft,
                              @JsonUnwrapped AttachFlood flood, long replayLimitHits,
                              double honestContinuityIndex) implements Attack {
    }

    /** Flooders, the ATTACHes and PULLs they sent, and the bytes relays sent them. */
    public record AttachFlood(int flooders, long floodAttaches, long floodPulls, long bytesSentToFlooders) {
    }

    /** Sybils close to a channel's id that answer with each other only: what FIND_VALUEs of it still found. */
    public record Sybil(String kind, int sybils, long sybilsAmongTrueClosest, int recordStoredAt, int finds,
                        double recordFound, double honestProviderFound, double findMsMedian,
                        int lookupMaxPerSubnet) implements Attack {
    }
}
