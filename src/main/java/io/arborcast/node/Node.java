package io.arborcast.node;

import io.arborcast.core.ChannelRecord;
import io.arborcast.core.DhtMessage;
import io.arborcast.core.MessageRouter;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.ProviderInfo;
import io.arborcast.dht.DhtNode;
import io.arborcast.dht.DhtResults.FindResult;
import io.arborcast.dht.DhtResults.JoinResult;
import io.arborcast.dht.DhtResults.LookupResult;
import io.arborcast.dht.DhtResults.StoreOutcome;
import io.arborcast.net.NettyTransport;
import io.arborcast.wire.MessageCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The composition root of a real node: the Netty transport and the protocols on top of it,
 * all run on the transport's one event-loop thread. Its methods may be called from any
 * thread; they hop onto the loop and answer with futures.
 */
public final class Node implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Node.class);

    private final NettyTransport transport;
    private final DhtNode dht;

    private Node(NettyTransport transport, DhtNode dht) {
        this.transport = transport;
        this.dht = dht;
    }

    /** Binds the port and starts the protocols; does not join yet. */
    public static Node start(NodeConfig config) throws InterruptedException {
        NettyTransport transport = NettyTransport.start(config.net(), NodeId.random(new SecureRandom()));
        DhtNode dht = new DhtNode(config.dht(), transport.environment(), transport,
                new MessageCodec(config.net().maxLinkFrameBytes()));
        Node node = new Node(transport, dht);
        transport.setHandler(new MessageRouter().on(DhtMessage.class, dht::onMessage));
        log.debug("node {} listening on {}", dht.id().shortHex(), transport.localAddress().endpoint());
        return node;
    }

    public PeerAddress address() {
        return transport.localAddress();
    }

    public NettyTransport transport() {
        return transport;
    }

    /** Resolves {@code HOST:PORT} to an IP literal address with unknown id (DNS happens here, not on the loop). */
    public static PeerAddress resolve(String hostPort) {
        PeerAddress p = PeerAddress.parseEndpoint(hostPort);
        try {
            return PeerAddress.unknownId(InetAddress.getByName(p.host()).getHostAddress(), p.port());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve " + p.host());
        }
    }

    public CompletableFuture<JoinResult> join(PeerAddress bootstrap) {
        return onLoop(done -> dht.join(bootstrap, done));
    }

    public CompletableFuture<LookupResult> lookup(NodeId target) {
        return onLoop(done -> dht.lookup(target, done));
    }

    public CompletableFuture<FindResult> find(NodeId channel) {
        return onLoop(done -> dht.find(channel, done));
    }

    public CompletableFuture<StoreOutcome> publish(ChannelRecord record) {
        return onLoop(done -> dht.publish(record, done));
    }

    /** Announces this node as a provider of {@code channel} at the given depth with the given free slots. */
    public CompletableFuture<StoreOutcome> announce(NodeId channel, int depth, int freeSlots) {
        return onLoop(done -> dht.announce(channel, new ProviderInfo(address(), depth, freeSlots), done));
    }

    private <T> CompletableFuture<T> onLoop(Consumer<Consumer<T>> op) {
        CompletableFuture<T> f = new CompletableFuture<>();
        transport.execute(() -> {
            try {
                op.accept(f::complete);
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    @Override
    public void close() {
        if (!transport.eventLoop().isShuttingDown()) {
            transport.execute(dht::stop);
        }
        transport.close();
    }
}
