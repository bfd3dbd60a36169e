package io.arborcast.sim.attack;

import io.arborcast.core.DhtMessage;
import io.arborcast.core.Message;
import io.arborcast.core.PeerAddress;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A sybil's rewrite: every FIND_NODE and FIND_VALUE answer names only the sybils and carries
 * no record or provider; its other messages (its own lookups, pings) are the real DHT's, so it
 * enters routing tables like any node.
 *
 * @param sybils the sybils' addresses (the list may grow as they join)
 */
public record SybilAnswers(List<PeerAddress> sybils) implements UnaryOperator<Message> {
    @Override
    public Message apply(Message m) {
        return switch (m) {
            case DhtMessage.Value v -> new DhtMessage.Value(v.rpcId(), null, List.of(), sybils);
            case DhtMessage.Nodes n -> new DhtMessage.Nodes(n.rpcId(), sybils);
            default -> m;
        };
    }
}
