package io.arborcast.wire;

/** A frame that cannot be encoded or decoded, with the reason as a fixed category. */
public final class CodecException extends Exception {
    /** Why a frame was refused; transports count drops per reason. */
    public enum Reason {
        /** The frame names a type id that is not registered. */
        UNKNOWN_ID,
        /** The frame ends before the message does. */
        TRUNCATED,
        /** The frame is larger than the limit for its channel. */
        OVERSIZE,
        /** Bytes are left after a complete message. */
        TRAILING_BYTES,
        /** The bytes decode to something that is not a valid message (bad value, bad length, nesting). */
        MALFORMED,
        /** The sender's node key is no valid identity (bad key, unsolved id puzzle) or it could not prove it holds it. */
        IDENTITY
    }

    private final Reason reason;

    public CodecException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public CodecException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
