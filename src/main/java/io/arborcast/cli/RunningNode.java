package io.arborcast.cli;

import io.arborcast.core.PeerAddress;
import io.arborcast.core.Reachability;
import io.arborcast.dht.DhtResults.JoinResult;
import io.arborcast.gateway.GatewayConfig;
import io.arborcast.gateway.HttpGateway;
import io.arborcast.node.Node;
import io.arborcast.node.NodeConfig;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** What {@code node}, {@code publish} and {@code play} share: a node with its HTTP gateway, joined and kept running. */
final class RunningNode implements AutoCloseable {
    /** Exit code when the bootstrap address does not answer. */
    static final int EXIT_BOOTSTRAP = 2;

    final Node node;
    final HttpGateway gateway;
    private final NodeKey key;

    private RunningNode(Node node, HttpGateway gateway, NodeKey key) {
        this.node = node;
        this.gateway = gateway;
        this.key = key;
    }

    static RunningNode start(NodeOptions options) throws InterruptedException, IOException {
        NodeConfig config = options.load(null);
        NodeKey key = options.identity(config);
        Node node = null;
        try {
            node = Node.start(config, key.identity);
            HttpGateway gateway = new HttpGateway(node, NodeConfig.read(options.config, GatewayConfig::from)).install();
            System.out.println("node " + node.address().id().toHex() + " listening on "
                    + PeerAddress.endpoint(config.net().bindHost(), node.address().port())
                    + " (UDP+TCP" + (gateway.shoutcastPort() > 0 ? ", SHOUTcast sources on "
                    + gateway.shoutcastPort() : "") + "); address " + node.address().host() + " ("
                    + node.addressBelief().source() + ")");
            System.out.println("identity: " + (key.file == null ? "new this run (--node-key none, or port 0)"
                    : "kept in " + key.file));
            return new RunningNode(node, gateway, key);
        } catch (RuntimeException | InterruptedException e) {
            if (node != null) {
                node.close();
            }
            key.close();
            throw e;
        }
    }

    /** Joins the DHT through {@code bootstrap} (null: start a new network); false, said on stderr, if it fails. */
    boolean join(String bootstrap) throws Exception {
        if (bootstrap == null) {
            return true;
        }
        node.onReachabilityChange(r -> System.out.println("reachability: " + describe(r, node.address().port())));
        JoinResult j = node.join(Node.resolve(bootstrap)).get(60, TimeUnit.SECONDS);
        if (!j.ok()) {
            System.err.println("arborcast: " + j.error());
            return false;
        }
        System.out.println("joined via " + bootstrap + ": " + j.contacts() + " contacts in " + j.millis() + " ms; address "
                + node.address().host() + " (" + node.addressBelief().source() + ")");
        node.checkReachability(); // says what it finds, and again whenever that changes
        return true;
    }

    /** One line on what a reachability check found and what to do about it. */
    static String describe(Reachability r, int port) {
        String how = r.helpers() == 0 ? "" : " (TCP " + r.tcp().name().toLowerCase() + ", UDP " + r.udp().name().toLowerCase()
                + "; " + r.helpers() + (r.helpers() == 1 ? " peer" : " peers") + " asked to dial back)";
        String advice = r.advice(port);
        String mapped = r.mappedBy().isEmpty() ? "" : ", through a port mapping by " + r.mappedBy();
        return r.summary() + how.replace(")", mapped + ")") + (advice.isEmpty() ? "" : ": " + advice);
    }

    /** The {@code host:port} players and source clients use: the address we go by, IPv6 in brackets. */
    String httpBase() {
        return node.address().endpoint();
    }

    @Override
    public void close() throws IOException {
        node.close();
        key.close();
    }
}
