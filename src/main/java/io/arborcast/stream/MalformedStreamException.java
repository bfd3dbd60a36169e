package io.arborcast.stream;

/**
 * A source sent bytes no muxer of its content type writes (an element of absurd size, an ID
 * that cannot start one): its input is dropped, never reaching a listener, and the source is
 * disconnected with this message as the reason.
 */
public final class MalformedStreamException extends IllegalArgumentException {
    public MalformedStreamException(String message) {
        super(message);
    }
}
