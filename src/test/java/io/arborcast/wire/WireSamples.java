package io.arborcast.wire;

import io.arborcast.core.ChannelInfo;
import io.arborcast.core.ChannelListing;
import io.arborcast.core.ChannelRecord;
import io.arborcast.core.DhtMessage;
import io.arborcast.core.GossipMessage;
import io.arborcast.core.LinkMessage;
import io.arborcast.core.SourceMessage;
import io.arborcast.core.Message;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.PeerState;
import io.arborcast.core.ProviderInfo;
import io.arborcast.core.StreamMessage;
import io.arborcast.core.TreeMessage;

import java.util.List;
import java.util.Random;

/** One realistic sample of every wire message, for round-trip and fuzz tests. */
public final class WireSamples {
    private WireSamples() {
    }

    public static List<Message> all(Random r) {
        NodeId a = NodeId.random(r);
        PeerAddress p1 = new PeerAddress(NodeId.random(r), "192.0.2.10", 7144);
        PeerAddress p2 = new PeerAddress(NodeId.random(r), "2001:db8::1", 40000);
        ChannelRecord rec = new ChannelRecord(a, "Radio Ünïcode", "audio/mpeg", 128, 1_700_000_000_000L, 3,
                bytes(r, 32), bytes(r, 64));
        ChannelListing listing = new ChannelListing(a, "Radio Ünïcode", "Jazz", "late-night standards", "https://example.org",
                "audio/mpeg", 128, 1_700_000_000_000L, 42, true, 5, bytes(r, 32), bytes(r, 64));
        ProviderInfo prov = new ProviderInfo(p1, 2, 3);
        ProviderInfo natProv = new ProviderInfo(p2, 3, 1, p1);
        PeerState s1 = new PeerState(p1, 2, 3, 1, 1000, 3600, 7);
        PeerState nated = new PeerState(p2, 3, 2, 0, 700, 60, 4, p1);
        PeerState s2 = new PeerState(p2, 0, 4, 0, 50_000, 12, 1);
        return List.of(
                new DhtMessage.Ping(r.nextLong()),
                new DhtMessage.Pong(r.nextLong(), "198.51.100.7"),
                new DhtMessage.FindNode(r.nextLong(), a, true),
                new DhtMessage.Nodes(r.nextLong(), List.of(p1, p2)),
                new DhtMessage.FindValue(r.nextLong(), a),
                new DhtMessage.Value(r.nextLong(), rec, List.of(prov, natProv), List.of(p2)),
                new DhtMessage.Store(r.nextLong(), rec),
                new DhtMessage.AnnounceProvider(r.nextLong(), a, prov, 300),
                new DhtMessage.StoreResult(r.nextLong(), false, "provider cap reached"),
                new DhtMessage.StoreListing(r.nextLong(), a, listing, 300, false),
                new DhtMessage.FindListings(r.nextLong(), a, 32, "late j", true),
                new DhtMessage.Listings(r.nextLong(), List.of(listing, listing.ended(6)), 64),
                new DhtMessage.DialBack(r.nextLong(), r.nextLong()),
                new DhtMessage.DialingBack(r.nextLong(), true),
                new LinkMessage.Heartbeat(r.nextLong() & Long.MAX_VALUE),
                new GossipMessage.Join(a, s1),
                new GossipMessage.ForwardJoin(a, s2, 6),
                new GossipMessage.Neighbor(a, s1, true),
                new GossipMessage.NeighborReply(a, s2, false),
                new GossipMessage.Disconnect(a),
                new GossipMessage.Shuffle(a, s1, 5, List.of(s1, s2, nated)),
                new GossipMessage.ShuffleReply(a, List.of(s2)),
                new GossipMessage.Heartbeat(a, 42, s1),
                new GossipMessage.ProbeRequest(a, p2, r.nextLong()),
                new GossipMessage.Probe(a, r.nextLong()),
                new GossipMessage.ProbeAck(a, r.nextLong()),
                new GossipMessage.ProbeResult(a, r.nextLong(), true),
                new SourceMessage.Takeover(a, r.nextLong() & Long.MAX_VALUE, bytes(r, 64)),
                new SourceMessage.HandOver(a, r.nextLong() & Long.MAX_VALUE, bytes(r, 64)),
                new SourceMessage.Relayed(a, p2, null, new SourceMessage.Query(a, r.nextLong())),
                new SourceMessage.Relayed(a, p1, p2, new SourceMessage.Publishing(a, true, rec, bytes(r, 64))),
                new SourceMessage.Declined(a, "not publishing this channel"),
                new SourceMessage.Query(a, r.nextLong()),
                new SourceMessage.Publishing(a, true, rec, bytes(r, 64)),
                SourceMessage.Publishing.no(a),
                new TreeMessage.Attach(a, 1234, 4),
                new TreeMessage.AttachVia(p2, p1, new TreeMessage.Attach(a, -1, 0, false)),
                new TreeMessage.Punch(a, p2, p1, true),
                new TreeMessage.Accept(a, List.of(p1, p2)),
                new TreeMessage.Refuse(a, "no free relay slot", List.of(s1, s2)),
                new TreeMessage.Detach(a),
                new TreeMessage.PathUpdate(a, List.of(p2)),
                new TreeMessage.Pull(a, 77, 40),
                new TreeMessage.Displace(a, List.of(s2, s1)),
                new TreeMessage.Room(a, List.of(s1)),
                new TreeMessage.Keepalive(a, r.nextLong() & Long.MAX_VALUE),
                new TreeMessage.Clock(a, r.nextLong() & Long.MAX_VALUE, -1, -1),
                new TreeMessage.Clock(a, r.nextLong() & Long.MAX_VALUE, r.nextLong() & Long.MAX_VALUE, 180),
                new TreeMessage.Subtree(a, List.of(new TreeMessage.Subtree.Entry(p1, -1),
                        new TreeMessage.Subtree.Entry(p2, 0)), 17),
                new StreamMessage.Head(a, 99, 98, bytes(r, 300), "Artist - Title",
                        new ChannelInfo("Late Jazz", "Jazz", "late-night standards", "https://example.org", "requests welcome"), bytes(r, 64)),
                new StreamMessage.End(a, 1234, bytes(r, 64)),
                chunk(r, 4096));
    }

    public static StreamMessage.Chunk chunk(Random r, int payloadBytes) {
        return new StreamMessage.Chunk(NodeId.random(r), 1234, 5678, bytes(r, payloadBytes), bytes(r, 64));
    }

    static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** Where {@code needle} first occurs in {@code hay}, or -1. */
    public static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
