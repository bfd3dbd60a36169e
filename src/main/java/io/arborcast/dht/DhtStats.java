package io.arborcast.dht;

import java.util.Map;
import java.util.TreeMap;

/** Counters of one DHT node, read by metrics and tests (on the protocol thread). */
public final class DhtStats {
    public long rpcsSent;
    public long rpcTimeouts;
    public long requestsServed;
    public long lookups;
    public long unsolicited;
    public long malformed;
    public long bucketRefreshes;
    public long forgedRecordsSeen;
    /** Pages of channel listings this node answered (FIND_LISTINGS). */
    public long listingPagesServed;
    /** Listing pages we asked for that were not answered in time (that source's pages end there). */
    public long listingPagesLost;
    private final Map<String, Long> refusals = new TreeMap<>();

    void refused(String reason) {
        String kind = reason.replaceAll("[0-9]+", "N");
        refusals.merge(kind, 1L, Long::sum);
    }

    /** STORE/ANNOUNCE refusals by reason (numbers folded to N). */
    public Map<String, Long> refusals() {
        return Map.copyOf(refusals);
    }
}
