package io.arborcast.dht;

import io.arborcast.core.ChannelListing;
import io.arborcast.core.ChannelRecord;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.ProviderInfo;

import java.util.List;

/** What the DHT's asynchronous operations report to their callbacks. */
public final class DhtResults {
    private DhtResults() {
    }

    /** The outcome of an iterative FIND_NODE. */
    public record LookupResult(NodeId target, List<PeerAddress> closest, int hops, int queried, long millis) {
    }

    /** The outcome of joining: an error message, or the routing table size reached. */
    public record JoinResult(String error, int contacts, long millis) {
        public boolean ok() {
            return error == null;
        }
    }

    /** How many of the k closest nodes accepted a STORE or ANNOUNCE, and why the others refused. */
    public record StoreOutcome(int accepted, int refused, int unreachable, List<String> reasons) {
    }

    /** What FIND_VALUE found: the newest valid record (or null) and fresh providers. */
    public record FindResult(NodeId channel, ChannelRecord record, List<ProviderInfo> providers, int hops,
                             int queried, long millis) {
        public boolean found() {
            return record != null;
        }
    }

    /**
     * The live channels of {@code genre} (null: every channel) the directory lists, newest listing
     * of each, most listeners first, from {@code asked} nodes closest to the keys asked.
     */
    public record ListingsResult(String genre, List<ChannelListing> listings, int asked, long millis) {
    }
}
