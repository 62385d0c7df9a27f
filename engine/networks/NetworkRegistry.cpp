#include "engine/networks/AHNet.h"
#include "engine/networks/AttentionUnet.h"
#include "engine/networks/BasicUNet.h"
#include "engine/networks/DenseNet.h"
#include "engine/networks/DynUNet.h"
#include "engine/networks/Generator.h"
#include "engine/networks/HighResNet.h"
#include "engine/networks/Network.h"
#include "engine/networks/Regressor.h"
#include "engine/networks/SENet.h"
#include "engine/networks/SegResNetVAE.h"
#include "engine/networks/UNETR.h"
#include "engine/networks/UNet.h"
#include "engine/networks/VNet.h"

namespace medulla {

namespace {
/// Every name of a family with fixed variants (DenseNet121, SEResNet50, ...).
template <class Impl> void addVariants(Registry<Network>& r) {
    for (const std::string& name : Impl::variantNames())
        r.add(Impl::info(name), [name](const Json& config, const std::string& context) {
            return Impl::fromJson(name, config, context);
        });
}
} // namespace

Registry<Network>& networkRegistry() {
    static Registry<Network> registry = [] {
        Registry<Network> r;
        r.add(UNetImpl::info(), &UNetImpl::fromJson);
        r.add(BasicUNetImpl::info(), &BasicUNetImpl::fromJson);
        r.add(DynUNetImpl::info(), &DynUNetImpl::fromJson);
        r.add(SegResNetImpl::info(), &SegResNetImpl::fromJson);
        r.add(SegResNetVAEImpl::info(), &SegResNetVAEImpl::fromJson);
        r.add(GeneratorImpl::info(), &GeneratorImpl::fromJson);
        r.add(RegressorImpl::info(), &RegressorImpl::fromJson);
        r.add(RegressorImpl::classifierInfo(), &RegressorImpl::classifierFromJson);
        r.add(RegressorImpl::discriminatorInfo(), &RegressorImpl::discriminatorFromJson);
        r.add(HighResNetImpl::info(), &HighResNetImpl::fromJson);
        r.add(VNetImpl::info(), &VNetImpl::fromJson);
        r.add(AHNetImpl::info(), &AHNetImpl::fromJson);
        r.add(UNETRImpl::info(), &UNETRImpl::fromJson);
        r.add(AttentionUnetImpl::info(), &AttentionUnetImpl::fromJson);
        addVariants<DenseNetImpl>(r);
        addVariants<SENetImpl>(r);
        return r;
    }();
    return registry;
}

} // namespace medulla
