package io.warden.clinical.dicom;

/**
 * A file that is not DICOM Part 10 as the reader understands it, or whose pixels it does not decode, naming the file,
 * the byte offset and a stable {@link #code()}: {@link #UNREADABLE} for the header, or one of {@link DicomImage}'s
 * codes for the pixels.
 */
public final class DicomFormatException extends Exception {

    /** The code of a file whose header cannot be read. */
    public static final String UNREADABLE = "dicom-unreadable";

    private final String file;
    private final long offset;
    private final String code;

    public DicomFormatException(String file, long offset, String message) {
        this(file, offset, UNREADABLE, message);
    }

    public DicomFormatException(String file, long offset, String code, String message) {
        super(file + " at byte " + offset + ": " + message);
        this.file = file;
        this.offset = offset;
        this.code = code;
    }

    /** Why, in a word an operator or a test can match: {@link #UNREADABLE} or a {@link DicomImage} code. */
    public String code() {
        return code;
    }

    public String file() {
        return file;
    }

    public long offset() {
        return offset;
    }
}
