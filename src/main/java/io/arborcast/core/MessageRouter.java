package io.arborcast.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A {@link MessageHandler} that hands each message to the protocol registered for its type
 * and every link event to all who asked, so a node (real or simulated) wires its protocols in
 * one place. Messages no protocol takes are counted.
 */
public final class MessageRouter implements MessageHandler {
    private record Route<T extends Message>(Class<T> type, BiConsumer<PeerAddress, ? super T> handler) {
        boolean offer(PeerAddress from, Message m) {
            if (!type.isInstance(m)) {
                return false;
            }
            handler.accept(from, type.cast(m));
            return true;
        }
    }

    private final List<Route<?>> routes = new ArrayList<>();
    private final List<BiConsumer<PeerAddress, String>> linkListeners = new ArrayList<>();
    private ProbeListener probeListener = (nonce, tcp) -> { };
    private long unrouted;

    /** Messages of {@code type} (and its subtypes) go to {@code handler}; the first matching route wins. */
    public <T extends Message> MessageRouter on(Class<T> type, BiConsumer<PeerAddress, ? super T> handler) {
        routes.add(new Route<>(type, handler));
        return this;
    }

    /** Hears of reachability probes that arrived (see {@link Transport#dialBack}). */
    public interface ProbeListener {
        void onDialedBack(long nonce, boolean tcp);
    }

    /** {@code listener} hears of every reachability probe that arrives. */
    public MessageRouter onDialedBack(ProbeListener listener) {
        probeListener = listener;
        return this;
    }

    /** {@code listener} hears of every closed link. */
    public MessageRouter onLinkClosed(BiConsumer<PeerAddress, String> listener) {
        linkListeners.add(listener);
        return this;
    }

    @Override
    public void onMessage(PeerAddress from, Message m) {
        for (Route<?> r : routes) {
            if (r.offer(from, m)) {
                return;
            }
        }
        unrouted++;
    }

    @Override
    public void onLinkClosed(PeerAddress peer, String reason) {
        for (BiConsumer<PeerAddress, String> l : linkListeners) {
            l.accept(peer, reason);
        }
    }

    @Override
    public void onDialedBack(long nonce, boolean tcp) {
        probeListener.onDialedBack(nonce, tcp);
    }

    /** Messages that no route took. */
    public long unrouted() {
        return unrouted;
    }
}
