package io.arborcast.sim.attack;

import io.arborcast.core.Message;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.Transport;
import io.arborcast.sim.net.SimNode;

import java.util.function.UnaryOperator;

/**
 * A hostile node's transport: what its protocol sends goes out as the attack's {@code rewrite}
 * makes it (null: not sent); everything else (its uplink's accounting, links, punches) is the
 * node's own, so a hostile node is the real protocol in every other respect.
 */
public final class InterceptingTransport implements Transport {
    private final SimNode node;
    private final UnaryOperator<Message> rewrite;

    public InterceptingTransport(SimNode node, UnaryOperator<Message> rewrite) {
        this.node = node;
        this.rewrite = rewrite;
    }

    @Override
    public void send(PeerAddress to, Message m) {
        Message out = rewrite.apply(m);
        if (out != null) {
            node.send(to, out);
        }
    }

    @Override
    public PeerAddress localAddress() {
        return node.localAddress();
    }

    @Override
    public long bytesOut() {
        return node.bytesOut();
    }

    @Override
    public long bytesWaiting() {
        return node.bytesWaiting();
    }

    @Override
    public boolean uplinkFull() {
        return node.uplinkFull();
    }

    @Override
    public void closeLink(PeerAddress peer) {
        node.closeLink(peer);
    }

    @Override
    public void observed(PeerAddress reporter, String host) {
        node.observed(reporter, host);
    }

    @Override
    public void dialBack(PeerAddress to, long nonce) {
        node.dialBack(to, nonce);
    }

    @Override
    public void punch(PeerAddress to) {
        node.punch(to);
    }
}
