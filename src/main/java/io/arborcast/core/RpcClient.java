package io.arborcast.core;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Request/response over datagrams: gives each request a random id, matches the response
 * by id and sender endpoint, and reports a timeout as an event when none comes. Sans-IO:
 * it acts only through the injected {@link Environment} and {@link Transport}.
 */
public final class RpcClient {
    /** What a caller hears about one request: exactly one of the two, exactly once. */
    public interface Callback {
        void onResponse(PeerAddress from, DhtMessage.Response response);

        void onTimeout(PeerAddress to);
    }

    private record Pending(PeerAddress to, Callback callback, Cancellable timer) {
    }

    private final Environment env;
    private final Transport transport;
    private final int maxPending;
    private final Map<Long, Pending> pending = new HashMap<>();
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
            env.schedule(0, () -> callback.onTimeout(to));
            return;
        }
        long id;
        do {
            id = env.random().nextLong();
        } while (id == 0 || pending.containsKey(id));
        long rpcId = id;
        Cancellable timer = env.schedule(timeoutMillis, () -> {
            Pending p = pending.remove(rpcId);
            if (p != null) {
                p.callback.onTimeout(p.to);
            }
        });
        pending.put(rpcId, new Pending(to, callback, timer));
        transport.send(to, build.apply(rpcId));
    }

    /**
     * Offers an incoming response. Returns true if it answered a pending request (whose callback
     * then ran); false if it was unsolicited, late, or came from another endpoint than asked.
     */
    public boolean onResponse(PeerAddress from, DhtMessage.Response response) {
        if (!expects(from, response)) {
            unsolicited++;
            return false;
        }
        Pending p = pending.remove(response.rpcId());
        p.timer.cancel();
        p.callback.onResponse(from, response);
        return true;
    }

    /** True if {@code response} from {@code from} answers a pending request. */
    public boolean expects(PeerAddress from, DhtMessage.Response response) {
        Pending p = pending.get(response.rpcId());
        return p != null && p.to.sameEndpoint(from) && (p.to.id() == null || p.to.id().equals(from.id()));
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
