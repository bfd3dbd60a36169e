package io.arborcast.core;

import java.util.Random;

/** Everything a protocol state machine may ask of the world besides the network. */
public interface Environment extends Scheduler {
    /** The node's seeded random generator; the only source of randomness in protocol code. */
    Random random();

    /** Where protocol code counts the resource limits it enforces ({@link Limit}). */
    LimitCounters limits();
}
