package io.warden.clinical.dicom;

/** A file that is not DICOM Part 10 as the reader understands it, naming the file and the byte offset. */
public final class DicomFormatException extends Exception {

    private final String file;
    private final long offset;

    public DicomFormatException(String file, long offset, String message) {
        super(file + " at byte " + offset + ": " + message);
        this.file = file;
        this.offset = offset;
    }

    public String file() {
        return file;
    }

    public long offset() {
        return offset;
    }
}
