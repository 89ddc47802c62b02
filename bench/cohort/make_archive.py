#!/usr/bin/env python3
"""Builds the synthetic DICOM archive the cohort benchmark scans.

    /usr/bin/python3 bench/cohort/make_archive.py --out /tmp/cohort-archive --series 4500 --seed 42

How the archive is made
=======================

What is real: every file is a copy of a real single-frame CT or MR image from the test files of Debian's
python3-pydicom (/usr/lib/python3/dist-packages/pydicom/data/test_files; see TEMPLATES below): its
transfer syntax (explicit and implicit VR little endian, explicit VR big endian, RLE, JPEG 2000), its
encoding, its vendor, acquisition and private attributes, its pixel data and so its size (2 to 40 KB) are
the template's, unchanged. Each template is read once and its real attributes are kept.

What is varied, per series and deterministically from --seed (the same seed gives the same archive, file
for file):
  - Study, Series and SOP Instance UIDs (and the Frame of Reference UID), from
    pydicom.uid.generate_uid with the seed as entropy; file meta follows.
  - Patients: synthetic only (PatientID "BENCH%05d", PatientName "BENCH^%05d", birth date, sex); about a
    quarter of the patients have more than one study.
  - Studies: 1 to 6 series each, of one region and modality, with a StudyDescription, date, accession
    (a region with fewer protocols than series repeats one, as a repeated acquisition would).
  - SeriesDescription from a vocabulary of realistic protocol names per region ("AX T2 FLAIR BRAIN",
    "CT CHEST W CONTRAST", "COR T1 POST KNEE", "SAG STIR L-SPINE", ...), which also fixes the plane.
  - BodyPartExamined: the region's defined term for most series, empty for about 20% and absent for about
    10%, so that anatomy must then come from the descriptions.
  - ImageOrientationPatient: axial, coronal or sagittal as the description says; "tilted" axials 5 to 20
    degrees off (still axial, like a gantry tilt or an AC-PC line); a few truly oblique series, those
    whose description says OBL (a standard plane turned 40 to 50 degrees about an in-plane axis, OBLIQUE
    by Warden's rule: more than about 37 degrees from every axis); about 5% of the series.
  - ImagePositionPatient advancing along the slice normal by the spacing, per slice; SliceLocation,
    InstanceNumber, SliceThickness, SpacingBetweenSlices to match; 1 to 16 slices per series (about 8.5
    on average: 4,500 series are about 38,000 files).
The Rows, Columns and pixels are the template's whatever the plane: the images are not anatomically
consistent with their geometry, only their headers are, which is all a header scan reads.

Layout: OUT/study-NNNNN/series-NN/NN.dcm, nothing else in OUT. With --manifest FILE, one CSV line per series
(the truth the benchmark can check against: UIDs, modality, plane, body part, descriptions, slices,
template). Prints a summary: series, studies, patients, files, bytes, seconds.

With --seed 42 --series 4500 (pydicom 2.3.1): 1,306 studies, 941 patients, 38,509 files, 573,190,754 bytes;
planes AX 1,908 (tilted ones included), COR 1,059, SAG 1,309, OBL 224; BodyPartExamined stated 3,190,
empty 843, absent 467. Warden's DicomFolderScan reads every file, and Series.group finds the 4,500 series
with the planes, slice counts, descriptions and body parts of the manifest.

Needs only python3 and pydicom: Debian's python3-pydicom 2.3, which saves with write_like_original=False;
with pydicom 3 it saves with enforce_file_format=True instead (untried). No numpy.
"""

import argparse
import copy
import csv
import math
import os
import random
import sys
import time
import warnings
from collections import Counter

try:
    import pydicom
    from pydicom.uid import generate_uid
except ImportError:
    sys.exit("needs pydicom: run with Debian's /usr/bin/python3 and apt-get install python3-pydicom")

TEST_FILES = "/usr/lib/python3/dist-packages/pydicom/data/test_files"

# Real single-frame images among pydicom's test files, with a weight: the small CT and MR of pydicom's own
# examples most, then the same MR in other transfer syntaxes, and the GE and Philips images of the DICOMDIR
# tests. Files named as damaged (MR_truncated.dcm, J2K_pixelrep_mismatch.dcm) are left out.
TEMPLATES = {
    "CT": [
        ("CT_small.dcm", 4),                           # GE, explicit VR little endian, 128x128
        ("693_J2KI.dcm", 1),                           # JPEG 2000, 512x512
        ("dicomdirtests/77654033/CT2/17106", 1),       # GE, 16x16
        ("dicomdirtests/98892001/CT5N/2062", 1),       # GE, 16x16
    ],
    "MR": [
        ("MR_small.dcm", 4),                           # Toshiba, explicit VR little endian, 64x64
        ("MR_small_implicit.dcm", 1),                  # implicit VR little endian
        ("MR_small_bigendian.dcm", 1),                 # explicit VR big endian
        ("MR_small_RLE.dcm", 1),                       # RLE lossless
        ("MR_small_jp2klossless.dcm", 1),              # JPEG 2000 lossless
        ("dicomdirtests/98892003/MR1/4919", 1),        # Philips, 16x16
        ("dicomdirtests/98892003/MR2/4950", 1),        # Philips, 16x16
    ],
}

# Regions: modality, BodyPartExamined (a DICOM defined term), study descriptions, and series descriptions
# with their plane: AX, COR, SAG, AXT (an axial tilted 5-20 degrees) or OBL (40-50 degrees off).
REGIONS = [
    ("MR", "BRAIN", ["MRI BRAIN W WO CONTRAST", "MR BRAIN WITHOUT CONTRAST", "MRI HEAD STROKE PROTOCOL"],
     [("AX T2 FLAIR BRAIN", "AX"), ("AX DWI B1000", "AX"), ("SAG T1 BRAIN", "SAG"), ("COR T2 BRAIN", "COR"),
      ("AX T1 POST GAD", "AX"), ("AX SWI", "AX"), ("FSE PD AXIAL OBL", "AXT"), ("OBL COR T2 HIPPOCAMPUS", "OBL")]),
    ("MR", "KNEE", ["MRI KNEE RIGHT WO CONTRAST", "MR KNEE LEFT"],
     [("COR T1 POST KNEE", "COR"), ("SAG PD FS KNEE", "SAG"), ("AX PD FS KNEE", "AX"), ("COR STIR KNEE", "COR"),
      ("SAG T2 KNEE", "SAG"), ("OBL PD ACL", "OBL")]),
    ("MR", "LSPINE", ["MRI LUMBAR SPINE WO CONTRAST", "MR L-SPINE"],
     [("SAG STIR L-SPINE", "SAG"), ("SAG T1 L-SPINE", "SAG"), ("SAG T2 L-SPINE", "SAG"), ("AX T2 L-SPINE", "AXT")]),
    ("MR", "CSPINE", ["MRI CERVICAL SPINE WO CONTRAST"],
     [("SAG T2 C-SPINE", "SAG"), ("SAG T1 C-SPINE", "SAG"), ("AX T2 GRE C-SPINE", "AXT")]),
    ("MR", "SHOULDER", ["MRI SHOULDER RIGHT WO CONTRAST", "MR SHOULDER LEFT ARTHROGRAM"],
     [("COR OBL T2 FS SHOULDER", "OBL"), ("SAG OBL T1 SHOULDER", "OBL"), ("AX PD FS SHOULDER", "AX"),
      ("COR PD SHOULDER", "COR")]),
    ("MR", "ABDOMEN", ["MRI ABDOMEN W WO CONTRAST", "MRCP", "MR LIVER"],
     [("AX T2 HASTE ABD", "AX"), ("COR T2 HASTE ABD", "COR"), ("AX T1 VIBE DYNAMIC", "AX"), ("AX DWI ABD", "AX"),
      ("COR 3D MRCP", "COR")]),
    ("MR", "PROSTATE", ["MRI PROSTATE MULTIPARAMETRIC"],
     [("AX T2 PROSTATE", "AX"), ("SAG T2 PROSTATE", "SAG"), ("COR T2 PROSTATE", "COR"), ("AX DWI PROSTATE", "AX")]),
    ("CT", "CHEST", ["CT CHEST W CONTRAST", "CT CHEST WO CONTRAST", "CTA CHEST PE PROTOCOL"],
     [("CT CHEST W CONTRAST", "AX"), ("AXIAL LUNG 1.25MM", "AX"), ("COR MPR CHEST", "COR"), ("SAG MPR CHEST", "SAG"),
      ("AX MIP CHEST", "AX")]),
    ("CT", "ABDOMEN", ["CT ABD PELVIS W CONTRAST", "CT ABD PELVIS", "CT ABDOMEN WO CONTRAST"],
     [("CT ABD PELVIS", "AX"), ("AX PORTAL VENOUS", "AX"), ("COR CT ABD PELVIS", "COR"), ("SAG CT ABD PELVIS", "SAG")]),
    ("CT", "HEAD", ["CT HEAD WO CONTRAST", "CT BRAIN", "CTA HEAD AND NECK"],
     [("AX HEAD 5MM", "AX"), ("AX HEAD BONE", "AXT"), ("COR HEAD MPR", "COR"), ("SAG HEAD MPR", "SAG")]),
    ("CT", "CSPINE", ["CT CERVICAL SPINE WO CONTRAST"],
     [("SAG C-SPINE BONE", "SAG"), ("COR C-SPINE BONE", "COR"), ("AX C-SPINE", "AX")]),
    ("CT", "KNEE", ["CT KNEE RIGHT WO CONTRAST"],
     [("AX KNEE BONE", "AX"), ("COR KNEE MPR", "COR"), ("SAG KNEE MPR", "SAG"), ("OBL TIBIAL PLATEAU", "OBL")]),
]

# row and column direction cosines of the three standard planes
PLANES = {
    "AX": ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0)),
    "COR": ((1.0, 0.0, 0.0), (0.0, 0.0, -1.0)),
    "SAG": ((0.0, 1.0, 0.0), (0.0, 0.0, -1.0)),
}


def rotate(v, axis, degrees):
    """v rotated about the x, y or z axis (0, 1, 2)."""
    a = math.radians(degrees)
    c, s = math.cos(a), math.sin(a)
    x, y, z = v
    if axis == 0:
        return (x, c * y - s * z, s * y + c * z)
    if axis == 1:
        return (c * x + s * z, y, -s * x + c * z)
    return (c * x - s * y, s * x + c * y, z)


def cross(r, c):
    return (r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0])


def ds(value):
    """A decimal string of at most 16 characters, without -0 or exponents."""
    value = round(value, 6)
    if value == 0:
        return "0"
    text = "%.6f" % value
    text = text.rstrip("0").rstrip(".")
    return text[:16]


def cosines(plane, rng):
    """Row and column cosines for a plane kind, and the kind Warden should read (AX, COR, SAG or OBL)."""
    if plane in PLANES:
        row, col = PLANES[plane]
        return row, col, plane
    if plane == "AXT":  # about the left-right axis, as a gantry tilt or an AC-PC line
        tilt = rng.uniform(5, 20) * rng.choice((-1, 1))
        row, col = PLANES["AX"]
        return rotate(row, 0, tilt), rotate(col, 0, tilt), "AX"
    # OBL: a standard plane turned 40-50 degrees about one of its in-plane axes, so that the normal is more
    # than 37 degrees from every axis
    base = rng.choice(("AX", "COR", "SAG"))
    row, col = PLANES[base]
    angle = rng.uniform(40, 50) * rng.choice((-1, 1))
    axis = [i for i in range(3) if abs(row[i]) == 1.0][0]
    return rotate(row, axis, angle), rotate(col, axis, angle), "OBL"


def load_templates():
    """Each template read once; refused unless pydicom reads it and it is a single-frame image."""
    loaded = {}
    for modality, entries in TEMPLATES.items():
        loaded[modality] = []
        for name, weight in entries:
            path = os.path.join(TEST_FILES, name)
            dataset = pydicom.dcmread(path)
            if "PixelData" not in dataset or dataset.get("Modality") != modality:
                sys.exit("template %s is not a %s image with pixel data" % (name, modality))
            if int(dataset.get("NumberOfFrames", 1) or 1) != 1:
                sys.exit("template %s is not single-frame" % name)
            loaded[modality].append((name, weight, dataset))
    return loaded


def plan(series_total, seed):
    """Studies and their series, all decided up front from the seed."""
    rng = random.Random(seed)
    studies = []
    patients = 0
    planned = 0
    while planned < series_total:
        if patients and rng.random() < 0.3:
            patient = rng.randint(1, patients)  # a patient seen before: another study
        else:
            patients += 1
            patient = patients
        modality, body_part, study_descriptions, series_vocabulary = rng.choice(REGIONS)
        count = min(rng.randint(1, 6), series_total - planned)
        # the study's protocols in a random order, oblique ones (real, but rarer) mostly last
        vocabulary = sorted(series_vocabulary, key=lambda entry: -rng.random() ** (8.0 if entry[1] == "OBL" else 1.0))
        series = []
        for number in range(1, count + 1):
            description, plane = vocabulary[(number - 1) % len(vocabulary)]
            roll = rng.random()
            stated = body_part if roll >= 0.3 else ("" if roll >= 0.1 else None)  # 20% empty, 10% absent
            series.append({"number": number, "description": description, "plane": plane, "bodyPart": stated,
                           "slices": rng.randint(1, 16), "seed": rng.random()})
        studies.append({"index": len(studies) + 1, "patient": patient, "modality": modality,
                        "studyDescription": rng.choice(study_descriptions), "series": series,
                        "date": rng.randint(0, 5 * 365), "seed": rng.random()})
        planned += count
    return studies, patients


def save(dataset, path):
    """Part 10 with a fresh file meta, as pydicom 2 and pydicom 3 each spell it."""
    if int(pydicom.__version__.split(".")[0]) >= 3:
        dataset.save_as(path, enforce_file_format=True)
    else:
        dataset.save_as(path, write_like_original=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="the folder to create; must not exist or be empty")
    parser.add_argument("--series", type=int, default=4500)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--manifest", help="write one CSV line per series here (outside --out)")
    args = parser.parse_args()
    if os.path.isdir(args.out) and os.listdir(args.out):
        sys.exit("%s is not empty: give a new folder" % args.out)
    if args.series < 1:
        sys.exit("--series must be at least 1")

    warnings.simplefilter("ignore")  # pydicom's notes on the templates' odd values, once per file otherwise
    started = time.monotonic()
    templates = load_templates()
    studies, patient_count = plan(args.series, args.seed)
    base_date = 20190101

    files = 0
    size = 0
    planes = Counter()
    body_parts = Counter()
    used = Counter()
    manifest_rows = []
    for study in studies:
        s_rng = random.Random(study["seed"])
        study_uid = generate_uid(entropy_srcs=[str(args.seed), "study", str(study["index"])])
        frame_uid = generate_uid(entropy_srcs=[str(args.seed), "frame", str(study["index"])])
        year, day = divmod(study["date"], 365)
        month, mday = divmod(day, 28)
        study_date = "%04d%02d%02d" % (base_date // 10000 + year, min(month, 11) + 1, mday + 1)
        patient = study["patient"]
        patient_rng = random.Random("%d/patient/%d" % (args.seed, patient))
        birth = "%04d%02d%02d" % (patient_rng.randint(1935, 2010), patient_rng.randint(1, 12), patient_rng.randint(1, 28))
        sex = patient_rng.choice(("F", "M"))
        for series in study["series"]:
            rng = random.Random(series["seed"])
            names = [name for name, _, _ in templates[study["modality"]]]
            weights = [weight for _, weight, _ in templates[study["modality"]]]
            pick = rng.choices(range(len(names)), weights)[0]
            name, _, template = templates[study["modality"]][pick]
            dataset = copy.deepcopy(template)

            series_uid = generate_uid(entropy_srcs=[str(args.seed), "series", str(study["index"]), str(series["number"])])
            dataset.PatientID = "BENCH%05d" % patient
            dataset.PatientName = "BENCH^%05d" % patient
            dataset.PatientBirthDate = birth
            dataset.PatientSex = sex
            dataset.StudyInstanceUID = study_uid
            dataset.SeriesInstanceUID = series_uid
            dataset.FrameOfReferenceUID = frame_uid
            dataset.StudyID = str(study["index"])
            dataset.AccessionNumber = "ACC%07d" % study["index"]
            dataset.StudyDate = study_date
            dataset.SeriesDate = study_date
            dataset.StudyTime = "%02d%02d00" % (7 + s_rng.randint(0, 11), s_rng.randint(0, 59))
            dataset.StudyDescription = study["studyDescription"]
            dataset.SeriesDescription = series["description"]
            dataset.SeriesNumber = series["number"]
            if series["bodyPart"] is None:
                if "BodyPartExamined" in dataset:
                    del dataset.BodyPartExamined
            else:
                dataset.BodyPartExamined = series["bodyPart"]

            row, col, expected_plane = cosines(series["plane"], rng)
            normal = cross(row, col)
            dataset.ImageOrientationPatient = [ds(v) for v in row + col]
            thickness = rng.choice((1.0, 1.25, 2.5, 3.0, 5.0)) if study["modality"] == "CT" else rng.choice((2.0, 3.0, 4.0, 5.0))
            spacing = thickness + rng.choice((0.0, 0.0, 0.5, 1.0))
            dataset.SliceThickness = ds(thickness)
            dataset.SpacingBetweenSlices = ds(spacing)
            origin = (rng.uniform(-130, -90), rng.uniform(-130, -90), rng.uniform(-200, 50))

            folder = os.path.join(args.out, "study-%05d" % study["index"], "series-%02d" % series["number"])
            os.makedirs(folder, exist_ok=True)
            for n in range(1, series["slices"] + 1):
                sop_uid = generate_uid(entropy_srcs=[series_uid, str(n)])
                dataset.SOPInstanceUID = sop_uid
                dataset.file_meta.MediaStorageSOPInstanceUID = sop_uid
                dataset.InstanceNumber = n
                depth = (n - 1) * spacing
                position = tuple(origin[i] + depth * normal[i] for i in range(3))
                dataset.ImagePositionPatient = [ds(v) for v in position]
                dataset.SliceLocation = ds(sum(position[i] * normal[i] for i in range(3)))
                path = os.path.join(folder, "%02d.dcm" % n)
                save(dataset, path)
                files += 1
                size += os.path.getsize(path)

            planes[expected_plane] += 1
            body_parts["absent" if series["bodyPart"] is None else "empty" if series["bodyPart"] == "" else "stated"] += 1
            used[name] += 1
            manifest_rows.append([study_uid, series_uid, "BENCH%05d" % patient, study["modality"], expected_plane,
                                  series["bodyPart"] if series["bodyPart"] is not None else "(absent)",
                                  series["description"], study["studyDescription"], series["slices"], name])

    if args.manifest:
        with open(args.manifest, "w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["studyInstanceUid", "seriesInstanceUid", "patientId", "modality", "plane", "bodyPartExamined",
                             "seriesDescription", "studyDescription", "slices", "template"])
            writer.writerows(manifest_rows)

    seconds = time.monotonic() - started
    print("archive %s (seed %d, pydicom %s)" % (args.out, args.seed, pydicom.__version__))
    print("series %d  studies %d  patients %d  files %d  bytes %d (%.1f MiB)  seconds %.1f"
          % (args.series, len(studies), patient_count, files, size, size / 1048576, seconds))
    print("planes: %s" % ", ".join("%s %d" % item for item in sorted(planes.items())))
    print("BodyPartExamined: %s" % ", ".join("%s %d" % item for item in sorted(body_parts.items())))
    print("templates: %s" % ", ".join("%s %d" % item for item in sorted(used.items())))


if __name__ == "__main__":
    main()
