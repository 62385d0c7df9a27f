#pragma once
/// The studio's demo workspace: one folder holding an experiment derived
/// from the built-in demo (resources/demo_experiment.json) with absolute
/// paths into the folder, its synthetic dataset, links to the real sample
/// volumes installed on this machine, and the runs. Qt-free and
/// LibTorch-free: the studio's first run (ui/panels/GuideDock) uses it, the
/// synthetic data itself is written by generateSyntheticDataset()
/// (CaseInspection.h) on a worker.
///
///   <folder>/experiment.json                  the demo experiment (kept once written)
///   <folder>/studies/                         what the Studies browser opens
///   <folder>/studies/demo-spheres/            the synthetic dataset (dataset.json, imagesTr,
///   labelsTr) <folder>/studies/samples/<package>/...    links to the installed sample volumes:
///       imagesTr/<image> + labelsTr/<image>   a sample with a label map (the studio
///                                             overlays labelsTr/<same name> on open)
///       <file>                                a sample without one
///       <series folder>/<files>               a DICOM folder (one link per file)
///   <folder>/studies/samples/README.txt       which file each link stands for
///   <folder>/runs/                            output_dir: one run-* folder per training

#include <string>
#include <vector>

#include "engine/core/Params.h"
#include "engine/services/SampleVolumes.h"

namespace medulla {

class DemoWorkspace {
public:
    /// The built-in demo experiment: <this program's folder>/../share/medulla/
    /// demo_experiment.json (an installed medulla), else
    /// <sourceResourceDir>/demo_experiment.json (a build tree; "" skips it).
    /// Throws IoError naming every place looked at when neither exists.
    static std::string builtInExperiment(const std::string& sourceResourceDir);

    /// `folder`: the workspace's root (need not exist yet). Made absolute.
    explicit DemoWorkspace(const std::string& folder);

    const std::string& folder() const { return folder_; }
    std::string experimentFile() const; ///< <folder>/experiment.json
    std::string studiesFolder() const;  ///< <folder>/studies
    std::string datasetFile() const;    ///< <folder>/studies/demo-spheres/dataset.json
    std::string samplesFolder() const;  ///< <folder>/studies/samples
    std::string outputDir() const;      ///< <folder>/runs

    /// `builtIn` (the demo experiment) pointed at this workspace: data.dataset
    /// = datasetFile(), output_dir = outputDir(), absolute; everything else
    /// (data.synthetic included) as it is. Throws ConfigError when `builtIn`
    /// is not an object with a "data" object.
    Json experimentFor(const Json& builtIn) const;

    /// Create the folder and write experiment.json from the built-in demo
    /// experiment file `builtInFile` (atomically), unless experiment.json
    /// exists: a workspace opened again keeps its experiment (the user may
    /// have edited it). Returns the workspace's experiment. Throws IoError
    /// naming the file that cannot be read, parsed or written.
    Json prepare(const std::string& builtInFile) const;

    /// The synthetic dataset has been written (its dataset.json exists).
    bool hasDataset() const;

    /// Rebuild samplesFolder() (it belongs to the workspace: whatever is
    /// there is removed) with links to `samples` (see the layout above; a
    /// copy where the file system has no symbolic links) and a README.txt.
    /// Returns the paths a folder scan finds for them: per sample its image
    /// (NIfTI) or series folder (DICOM), then its label. Throws IoError
    /// naming the folder or file that cannot be written.
    std::vector<std::string> linkSamples(const std::vector<SampleVolume>& samples) const;

private:
    std::string folder_;
};

} // namespace medulla
