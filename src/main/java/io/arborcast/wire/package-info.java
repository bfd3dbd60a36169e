/**
 * The wire format: Kryo with every type registered under a fixed id, bounded lengths and
 * frame sizes, and one error type for every way a frame can be bad.
 */
package io.arborcast.wire;
