package io.arborcast.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arborcast.core.ChannelInfo;
import io.arborcast.core.NodeId;
import io.arborcast.core.Reachability;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.PeerState;
import io.arborcast.core.TreeMessage.Subtree.Entry;
import io.arborcast.node.LocalChannel;
import io.arborcast.node.Node;
import io.arborcast.stream.ChunkBuffer;
import io.arborcast.stream.Playout;
import io.arborcast.tree.ChannelTree;
import io.arborcast.tree.TreeStats;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an operator sees at {@code /} (an HTML page with a small script) and {@code /api/status}
 * (its JSON): the node, and for each of its channels the relay tree around it, buffer health,
 * bitrate in and out, continuity, gossip neighbours, and the whole tree as far as the node
 * knows it. Built on the node's event loop.
 */
final class StatusPage {
    /** Most peers of the subtree below this node shown in the tree view. */
    private static final int TREE_LIMIT = 512;
    /** Bitrates are averaged over this many one-second samples. */
    private static final int RATE_SAMPLES = 5;

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Node node;
    private final HttpGateway gateway;
    private final long startedAt = System.currentTimeMillis();
    private final Map<NodeId, ArrayDeque<long[]>> samples = new HashMap<>();
    private final byte[] html;

    StatusPage(Node node, HttpGateway gateway) {
        this.node = node;
        this.gateway = gateway;
        try (InputStream in = StatusPage.class.getResourceAsStream("status.html")) {
            html = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("status page missing from the build", e);
        }
    }

    byte[] html() {
        return html;
    }

    /** mpegts.js, the page's player of FLV and MPEG-TS (the build fetches it from npm), or null if not built in. */
    static byte[] mpegtsJs() {
        return MpegtsJs.BYTES;
    }

    /** Read on first use: 270 KB no node needs until a browser plays FLV or MPEG-TS. */
    private static final class MpegtsJs {
        static final byte[] BYTES = read();

        private static byte[] read() {
            try (InputStream in = StatusPage.class.getResourceAsStream("static/mpegts.js")) {
                return in == null ? null : in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Once a second on the loop: bytes in and out of every channel, for the bitrates shown. */
    void sample() {
        long now = System.currentTimeMillis();
        samples.keySet().retainAll(node.channels().keySet());
        node.channels().forEach((id, c) -> {
            ArrayDeque<long[]> s = samples.computeIfAbsent(id, k -> new ArrayDeque<>());
            s.addLast(new long[] {now, c.bytesIn(), c.peer().tree().stats().bytesForwarded});
            while (s.size() > RATE_SAMPLES + 1) {
                s.removeFirst();
            }
        });
    }

    /** kbit/s of column {@code col} over the samples held, or null before two samples. */
    private Double kbps(NodeId id, int col) {
        ArrayDeque<long[]> s = samples.get(id);
        if (s == null || s.size() < 2) {
            return null;
        }
        long[] first = s.getFirst();
        long[] last = s.getLast();
        return (last[col] - first[col]) * 8.0 / Math.max(1, last[0] - first[0]);
    }

    /** The status as JSON; on the loop. */
    String json() {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> self = new LinkedHashMap<>();
        self.put("id", node.address().id().toHex());
        self.put("address", node.address().endpoint());
        self.put("addressLearned", node.addressBelief().source().toString());
        Reachability r = node.reachability();
        Map<String, Object> reach = new LinkedHashMap<>();
        reach.put("summary", r.summary());
        reach.put("tcp", r.tcp().name().toLowerCase());
        reach.put("udp", r.udp().name().toLowerCase());
        reach.put("peersAsked", r.helpers());
        reach.put("portMappedBy", r.mappedBy().isEmpty() ? null : r.mappedBy());
        reach.put("advice", r.advice(node.address().port()));
        self.put("reachability", reach);
        self.put("selfDialsAvoided", node.transport().selfDialsAvoided());
        self.put("dialsBackedOff", node.transport().dialsBackedOff());
        self.put("sourceMessagesPassed", node.sourceMessagesPassed());
        self.put("uptimeSeconds", (System.currentTimeMillis() - startedAt) / 1000);
        self.put("dhtContacts", node.routingTableSize());
        self.put("networkSizeEstimate", node.networkSizeEstimate());
        self.put("storedRecords", node.storedRecords());
        self.put("storedProviders", node.storedProviders());
        self.put("peerLinks", node.transport().linkCount());
        self.put("players", gateway.players());
        out.put("node", self);
        List<Object> channels = new ArrayList<>();
        node.channels().forEach((id, c) -> channels.add(channel(id, c)));
        out.put("channels", channels);
        out.put("ended", node.endedChannels().stream().map(e -> Map.of("id", e.id().toHex(), "name", e.name(),
                "why", e.why(), "at", e.atMillis())).toList());
        try {
            return JSON.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("status not serialisable", e);
        }
    }

    private Map<String, Object> channel(NodeId id, LocalChannel c) {
        ChannelTree tree = c.peer().tree();
        TreeStats st = tree.stats();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id.toHex());
        m.put("name", c.name());
        m.put("contentType", c.record().contentType());
        m.put("bitrateKbps", c.record().bitrateKbps());
        m.put("role", c.isSource() ? "source" : "listener");
        m.put("title", c.title());
        ChannelInfo info = c.info();
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("genre", info.genre());
        about.put("description", info.description());
        about.put("url", info.url());
        about.put("comment", info.comment());
        m.put("info", about);
        m.put("playUrl", "/stream/" + id.toHex());
        m.put("receiving", tree.receiving());
        m.put("depth", tree.depth());
        m.put("relaySlots", tree.children().size() + tree.freeSlots());
        m.put("uplinkKbps", tree.uplinkKbps()); // measured when it was full; 0: never seen full
        m.put("parent", tree.parent() == null ? null : peer(tree.parent()));
        m.put("ancestors", tree.ancestors().stream().map(StatusPage::peer).toList());
        m.put("children", tree.children().stream().map(StatusPage::peer).toList());
        m.put("nodesBelow", tree.nodesBelow()); // at the source: the audience, in nodes
        m.put("backups", tree.backups().stream().map(StatusPage::peer).toList());
        m.put("gossipActive", c.peer().gossip().activeView().stream().map(StatusPage::peer).toList());
        m.put("gossipPassive", c.peer().gossip().passiveView().size());
        m.put("kbpsIn", kbps(id, 1));
        m.put("kbpsOut", kbps(id, 2));
        m.put("players", c.players());
        // figures of the stream only while it flows: a channel not receiving shows none (not 100 %)
        boolean flowing = tree.receiving();
        m.put("buffer", flowing ? buffer(c) : null);
        m.put("startupMs", c.isSource() || c.startupMillis() < 0 ? null : c.startupMillis());
        // behind the source's cut when handed to players here (the last minute), and the least it can be
        m.put("lagMs", c.isSource() ? null : nonNegative(c.lagMillis(0.5)));
        m.put("lagMsP95", c.isSource() ? null : nonNegative(c.lagMillis(0.95)));
        m.put("lagFloorMs", nonNegative(c.lagFloorMillis()));
        Playout p = c.playout();
        if (p != null) {
            long total = p.played() + p.skipped();
            m.put("played", p.played());
            m.put("skipped", p.skipped());
            m.put("continuity", total == 0 || !flowing ? null : (double) p.played() / total);
        }
        m.put("parentLosses", st.parentLosses);
        m.put("repairs", st.repairs);
        m.put("lastRepairMs", st.repairMillis.isEmpty() ? null : st.repairMillis.get(st.repairMillis.size() - 1));
        m.put("chunksReceived", st.chunksReceived);
        m.put("chunksForwarded", st.chunksForwarded);
        m.put("chunksPulled", st.chunksPulled);
        m.put("childrenShed", st.childrenShed);
        m.put("badChunks", st.badChunks);
        m.put("attachesReceived", st.attachesReceived);
        Map<String, Object> reversals = new LinkedHashMap<>(); // connection reversal (a relay nobody can dial)
        reversals.put("asked", st.reversalsAsked);
        reversals.put("passed", st.reversalsPassed);
        reversals.put("served", st.reversalsServed);
        reversals.put("refused", st.reversalsRefused);
        m.put("reversals", reversals);
        Map<String, Object> punches = new LinkedHashMap<>(); // hole punching (both ends behind NATs)
        punches.put("asked", st.punchesAsked);
        punches.put("passed", st.punchesPassed);
        punches.put("served", st.punchesServed);
        punches.put("succeeded", st.punchesSucceeded);
        punches.put("failed", st.punchesFailed);
        m.put("punches", punches);
        m.put("tree", wholeTree(tree));
        return m;
    }

    private Map<String, Object> buffer(LocalChannel c) {
        ChunkBuffer b = c.peer().tree().buffer();
        long chunkMs = node.config().chunkMillis();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("chunks", b.held());
        m.put("seconds", b.held() * chunkMs / 1000.0);
        m.put("highestSeq", b.highestSeq() < 0 ? null : b.highestSeq());
        return m;
    }

    /**
     * The tree as this node knows it: the path from the source down to us (from the accept and
     * path updates), and below us what our children reported, nested for drawing.
     */
    private Map<String, Object> wholeTree(ChannelTree tree) {
        Map<String, Object> me = treeNode(node.address(), true);
        List<Entry> below = tree.subtree(TREE_LIMIT);
        List<Map<String, Object>> placed = new ArrayList<>(below.size());
        for (Entry e : below) {
            Map<String, Object> n = treeNode(e.peer(), false);
            placed.add(n);
            kids(e.parent() < 0 ? me : placed.get(e.parent())).add(n);
        }
        Map<String, Object> top = me;
        for (PeerAddress a : tree.ancestors()) { // parent first, up to the source
            Map<String, Object> up = treeNode(a, false);
            kids(up).add(top);
            top = up;
        }
        return top;
    }

    /** {@code v}, or null (not known) when negative. */
    private static Long nonNegative(long v) {
        return v < 0 ? null : v;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> kids(Map<String, Object> treeNode) {
        return (List<Map<String, Object>>) treeNode.get("children");
    }

    private static Map<String, Object> treeNode(PeerAddress p, boolean self) {
        Map<String, Object> n = peer(p);
        n.put("self", self);
        n.put("children", new ArrayList<Map<String, Object>>());
        return n;
    }

    private static Map<String, Object> peer(PeerState s) {
        Map<String, Object> m = peer(s.address());
        m.put("depth", s.depth());
        m.put("freeSlots", s.freeSlots());
        return m;
    }

    private static Map<String, Object> peer(PeerAddress p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id() == null ? null : p.id().shortHex());
        m.put("address", p.endpoint());
        return m;
    }
}
