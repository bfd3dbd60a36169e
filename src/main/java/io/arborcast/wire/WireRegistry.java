package io.arborcast.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import io.arborcast.core.ChannelInfo;
import io.arborcast.core.ChannelListing;
import io.arborcast.core.ChannelRecord;
import io.arborcast.core.DhtMessage;
import io.arborcast.core.GossipMessage;
import io.arborcast.core.LinkMessage;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.PeerState;
import io.arborcast.core.ProviderInfo;
import io.arborcast.core.StreamMessage;
import io.arborcast.core.SourceMessage;
import io.arborcast.core.TreeMessage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one place where wire type ids are assigned. Ids are explicit numbers, never derived
 * from registration order, so adding a type never renumbers another. Ids below 20 belong to
 * Kryo's built-in primitives and String.
 */
public final class WireRegistry {
    /** Most elements a list on the wire may have. */
    public static final int MAX_LIST_ELEMENTS = 256;
    /** Longest string on the wire, in UTF-8 bytes. */
    public static final int MAX_STRING_BYTES = 1024;
    /** Deepest object nesting a frame may have. */
    public static final int MAX_DEPTH = 16;

    private static final Map<Class<?>, Integer> MESSAGE_IDS = new LinkedHashMap<>();

    static {
        MESSAGE_IDS.put(DhtMessage.Ping.class, 100);
        MESSAGE_IDS.put(DhtMessage.Pong.class, 101);
        MESSAGE_IDS.put(DhtMessage.FindNode.class, 102);
        MESSAGE_IDS.put(DhtMessage.Nodes.class, 103);
        MESSAGE_IDS.put(DhtMessage.FindValue.class, 104);
        MESSAGE_IDS.put(DhtMessage.Value.class, 105);
        MESSAGE_IDS.put(DhtMessage.Store.class, 106);
        MESSAGE_IDS.put(DhtMessage.AnnounceProvider.class, 107);
        MESSAGE_IDS.put(DhtMessage.StoreResult.class, 108);
        MESSAGE_IDS.put(DhtMessage.DialBack.class, 109);
        MESSAGE_IDS.put(DhtMessage.DialingBack.class, 110);
        MESSAGE_IDS.put(DhtMessage.StoreListing.class, 111);
        MESSAGE_IDS.put(DhtMessage.FindListings.class, 112);
        MESSAGE_IDS.put(DhtMessage.Listings.class, 113);
        MESSAGE_IDS.put(LinkMessage.Heartbeat.class, 200);
        MESSAGE_IDS.put(GossipMessage.Join.class, 400);
        MESSAGE_IDS.put(GossipMessage.ForwardJoin.class, 401);
        MESSAGE_IDS.put(GossipMessage.Neighbor.class, 402);
        MESSAGE_IDS.put(GossipMessage.NeighborReply.class, 403);
        MESSAGE_IDS.put(GossipMessage.Disconnect.class, 404);
        MESSAGE_IDS.put(GossipMessage.Shuffle.class, 405);
        MESSAGE_IDS.put(GossipMessage.ShuffleReply.class, 406);
        MESSAGE_IDS.put(GossipMessage.Heartbeat.class, 407);
        MESSAGE_IDS.put(GossipMessage.ProbeRequest.class, 408);
        MESSAGE_IDS.put(GossipMessage.Probe.class, 409);
        MESSAGE_IDS.put(GossipMessage.ProbeAck.class, 410);
        MESSAGE_IDS.put(GossipMessage.ProbeResult.class, 411);
        MESSAGE_IDS.put(StreamMessage.Chunk.class, 300);
        MESSAGE_IDS.put(StreamMessage.Head.class, 301);
        MESSAGE_IDS.put(StreamMessage.End.class, 302);
        MESSAGE_IDS.put(TreeMessage.Attach.class, 500);
        MESSAGE_IDS.put(TreeMessage.Accept.class, 501);
        MESSAGE_IDS.put(TreeMessage.Refuse.class, 502);
        MESSAGE_IDS.put(TreeMessage.Detach.class, 503);
        MESSAGE_IDS.put(TreeMessage.PathUpdate.class, 504);
        MESSAGE_IDS.put(TreeMessage.Pull.class, 505);
        MESSAGE_IDS.put(TreeMessage.Subtree.class, 506);
        MESSAGE_IDS.put(TreeMessage.Displace.class, 507);
        MESSAGE_IDS.put(TreeMessage.Room.class, 508);
        MESSAGE_IDS.put(TreeMessage.Keepalive.class, 509);
        MESSAGE_IDS.put(TreeMessage.AttachVia.class, 510);
        MESSAGE_IDS.put(TreeMessage.Punch.class, 511);
        MESSAGE_IDS.put(TreeMessage.Clock.class, 512);
        MESSAGE_IDS.put(SourceMessage.Takeover.class, 600);
        MESSAGE_IDS.put(SourceMessage.HandOver.class, 601);
        MESSAGE_IDS.put(SourceMessage.Declined.class, 602);
        MESSAGE_IDS.put(SourceMessage.Query.class, 603);
        MESSAGE_IDS.put(SourceMessage.Publishing.class, 604);
        MESSAGE_IDS.put(SourceMessage.Relayed.class, 605);
    }

    private WireRegistry() {
    }

    /**
     * Kryo would read a class <em>name</em> off the wire when a frame says so, before looking
     * it up; our frames only ever name types by registered id.
     */
    private static final class IdOnlyClassResolver extends DefaultClassResolver {
        @Override
        protected Registration readName(Input input) {
            throw new KryoException("Unregistered class ID: types are never named on the wire");
        }
    }

    /** The message classes and their fixed ids. */
    public static Map<Class<?>, Integer> messageIds() {
        return Map.copyOf(MESSAGE_IDS);
    }

    /** A Kryo instance with every wire type registered and registration required. */
    static Kryo newKryo() {
        Kryo kryo = new Kryo(new IdOnlyClassResolver(), null);
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        kryo.setMaxDepth(MAX_DEPTH);
        WireSerializers.Utf8 strings = new WireSerializers.Utf8(MAX_STRING_BYTES);
        kryo.register(String.class, strings);
        kryo.register(byte[].class, new WireSerializers.Bytes(), 20);
        WireSerializers.BoundedList lists = new WireSerializers.BoundedList(MAX_LIST_ELEMENTS,
                Set.of(PeerAddress.class, ProviderInfo.class, PeerState.class, TreeMessage.Subtree.Entry.class,
                        ChannelListing.class));
        kryo.register(ArrayList.class, lists, 21);
        kryo.register(List.of().getClass(), lists, 22);        // ImmutableCollections.ListN
        kryo.register(List.of(1).getClass(), lists, 23);       // ImmutableCollections.List12
        kryo.register(NodeId.class, new WireSerializers.Id(), 30);
        kryo.register(PeerAddress.class, new WireSerializers.Address(strings), 31);
        kryo.register(ChannelRecord.class, 32);
        kryo.register(ProviderInfo.class, 33);
        kryo.register(PeerState.class, 34);
        kryo.register(TreeMessage.Subtree.Entry.class, 35);
        kryo.register(ChannelListing.class, 36);
        kryo.register(ChannelInfo.class, 37);
        MESSAGE_IDS.forEach(kryo::register);
        return kryo;
    }
}
