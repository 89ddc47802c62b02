package io.warden.lifecycle;

/** A lifecycle request that does not fit the processes' state, with an HTTP status and a stable code. */
public class WorkflowRefused extends RuntimeException {

    private final int status;
    private final String code;

    public WorkflowRefused(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
