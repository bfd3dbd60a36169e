package io.arborcast.dht;

import io.arborcast.core.Environment;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.Reachability;
import io.arborcast.core.Reachability.Status;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One reachability check (AutoNAT-style): each helper gets its own random nonce and is asked to
 * send it back over a fresh UDP socket and a new TCP connection; what arrives is counted per
 * protocol. It ends {@link #PROBE_WAIT_MILLIS} after the last helper answered (or timed out).
 * A probe can only come from a helper that was told its nonce, so a lying helper can at most
 * hide a way in, never invent one; "unreachable" needs two helpers that said they dialled.
 * Sans-IO: the DHT node sends the requests and feeds answers and probes in.
 */
final class ReachabilityCheck {
    /** How long after a helper's answer its probes may still arrive. */
    static final long PROBE_WAIT_MILLIS = 2_000;
    /** Helpers asked per check, each in its own subnet. */
    static final int HELPERS = 3;
    /** Helpers that must have dialled, with nothing arriving, before a protocol counts as closed. */
    private static final int CLOSED_AFTER = 2;

    private final Environment env;
    private final Consumer<Reachability> done;
    private final Map<Long, boolean[]> arrived = new HashMap<>(); // nonce -> {tcp, udp}
    private int pending;
    private int dialled;
    private boolean finished;

    /**
     * Asks each of {@code helpers} through {@code ask} (helper, nonce, then "it dialled" / "it
     * would not or did not answer"); {@code done} hears the result once.
     */
    ReachabilityCheck(Environment env, List<PeerAddress> helpers, AskHelper ask, Consumer<Reachability> done) {
        this.env = env;
        this.done = done;
        this.pending = helpers.size();
        if (helpers.isEmpty()) {
            finish();
            return;
        }
        for (PeerAddress h : helpers) {
            long nonce = env.random().nextLong();
            arrived.put(nonce, new boolean[2]);
            ask.ask(h, nonce, dialling -> {
                if (dialling) {
                    dialled++;
                }
                env.schedule(PROBE_WAIT_MILLIS, this::helperDone);
            });
        }
    }

    /** How a check asks one helper: {@code answered} hears whether it said it dials (false also on a timeout). */
    interface AskHelper {
        void ask(PeerAddress helper, long nonce, Consumer<Boolean> answered);
    }

    /** A probe arrived; false if its nonce is none of this check's. */
    boolean onDialedBack(long nonce, boolean tcp) {
        boolean[] a = arrived.get(nonce);
        if (a == null) {
            return false;
        }
        a[tcp ? 0 : 1] = true;
        return true;
    }

    private void helperDone() {
        if (--pending == 0) {
            finish();
        }
    }

    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        int tcp = 0;
        int udp = 0;
        for (boolean[] a : arrived.values()) {
            tcp += a[0] ? 1 : 0;
            udp += a[1] ? 1 : 0;
        }
        done.accept(new Reachability(status(tcp), status(udp), arrived.size(), env.now(), ""));
    }

    private Status status(int arrivedFrom) {
        return arrivedFrom > 0 ? Status.REACHABLE : dialled >= CLOSED_AFTER ? Status.UNREACHABLE : Status.UNKNOWN;
    }
}
