/**
 * The simulator's engine: a virtual millisecond clock and a queue of runnables
 * ({@link io.arborcast.sim.engine.Simulation}), or several queues run a millisecond at a time
 * on a few threads ({@link io.arborcast.sim.engine.Partitions}) with results that depend on the
 * seed and the partition count, never on the threads. Knows nothing of networks or bytes.
 */
package io.arborcast.sim.engine;
