package io.arborcast.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Request/response over datagrams: gives each request a random id, matches the response
 * by id and sender endpoint, and reports a timeout as an event when none comes. Sans-IO:
 * it acts only through the injected {@link Environment} and {@link Transport}.
 *
 * <p>One timer serves all pending requests: it is armed for the earliest deadline and, when
 * it fires, times out everything due and re-arms. Answered requests cost no timer event, so
 * the simulator's event queue is not filled with cancelled timeouts.
 */
public final class RpcClient {
    /** What a caller hears about one request: exactly one of the two, exactly once. */
    public interface Callback {
        void onResponse(PeerAddress from, DhtMessage.Response response);

        void onTimeout(PeerAddress to);
    }

    private record Pending(long rpcId, PeerAddress to, Callback callback, long deadline) {
    }

    private final Environment env;
    private final Transport transport;
    private final int maxPending;
    private final LongMap<Pending> pending = new LongMap<>();
    private Cancellable timer;
    private long timerAt = Long.MAX_VALUE;
    private long unsolicited;

    public RpcClient(Environment env, Transport transport, int maxPending) {
        this.env = env;
        this.transport = transport;
        this.maxPending = maxPending;
    }

    /**
     * Sends the request built by {@code build} (given a fresh rpc id) to {@code to}. If more than
     * {@code maxPending} requests are outstanding the request is not sent and times out at once.
     */
    public void request(PeerAddress to, LongFunction<? extends DhtMessage.Request> build, long timeoutMillis,
                        Callback callback) {
        if (pending.size() >= maxPending) {
            env.limits().hit(Limit.PENDING_RPCS);
            env.schedule(0, () -> callback.onTimeout(to));
            return;
        }
        long id;
        do {
            id = env.random().nextLong();
        } while (id == 0 || pending.containsKey(id));
        long deadline = env.now() + timeoutMillis;
        pending.put(id, new Pending(id, to, callback, deadline));
        if (deadline < timerAt) {
            arm(deadline);
        }
        transport.send(to, build.apply(id));
    }

    private void arm(long deadline) {
        if (timer != null) {
            timer.cancel();
        }
        timerAt = deadline;
        timer = env.schedule(Math.max(0, deadline - env.now()), this::expire);
    }

    private void expire() {
        timer = null;
        timerAt = Long.MAX_VALUE;
        long now = env.now();
        long[] next = {Long.MAX_VALUE};
        List<Long> due = new ArrayList<>();
        pending.forEachValue(p -> {
            if (p.deadline <= now) {
                due.add(p.rpcId);
            } else {
                next[0] = Math.min(next[0], p.deadline);
            }
        });
        List<Pending> expired = new ArrayList<>(due.size());
        for (long id : due) {
            expired.add(pending.remove(id));
        }
        if (next[0] != Long.MAX_VALUE) {
            arm(next[0]);
        }
        for (Pending p : expired) {
            p.callback.onTimeout(p.to);
        }
    }

    /**
     * Offers an incoming response. Returns true if it answered a pending request (whose callback
     * then ran); false if it was unsolicited, late, or came from another endpoint than asked.
     */
    public boolean onResponse(PeerAddress from, DhtMessage.Response response) {
        Callback c = claim(from, response);
        if (c == null) {
            return false;
        }
        c.onResponse(from, response);
        return true;
    }

    /**
     * Takes the pending request that {@code response} from {@code from} answers and returns its
     * callback, not yet run (so the caller may act first); null, and counted, if it answers none.
     */
    public Callback claim(PeerAddress from, DhtMessage.Response response) {
        Pending p = pending.get(response.rpcId());
        if (p == null || !p.to.sameEndpoint(from) || (p.to.id() != null && !p.to.id().equals(from.id()))) {
            unsolicited++;
            return null;
        }
        pending.remove(response.rpcId());
        return p.callback;
    }

    /** Requests still waiting for an answer. */
    public int pendingCount() {
        return pending.size();
    }

    /** Responses that matched no pending request. */
    public long unsolicitedCount() {
        return unsolicited;
    }
}
