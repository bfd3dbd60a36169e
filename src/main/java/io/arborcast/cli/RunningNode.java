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

    private RunningNode(Node node, HttpGateway gateway) {
        this.node = node;
        this.gateway = gateway;
    }

    static RunningNode start(NodeOptions options) throws InterruptedException, IOException {
        NodeConfig config = options.load(null);
        Node node = Node.start(config, options.identity(config));
        try {
            HttpGateway gateway = new HttpGateway(node, NodeConfig.read(options.config, GatewayConfig::from)).install();
            System.out.println("node " + node.address().id().toHex() + " listening on "
                    + PeerAddress.endpoint(config.net().bindHost(), node.address().port())
                    + " (UDP+TCP" + (gateway.shoutcastPort() > 0 ? ", SHOUTcast sources on "
                    + gateway.shoutcastPort() : "") + "); address " + node.address().host() + " ("
                    + node.addressBelief().source() + ")");
            return new RunningNode(node, gateway);
        } catch (RuntimeException | InterruptedException e) {
            node.close();
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
    public void close() {
        node.close();
    }
}
