// Anchor translation unit for the shared LibTorch precompiled header.
namespace medulla::detail {
int pchAnchor() {
    return 0;
}
} // namespace medulla::detail
