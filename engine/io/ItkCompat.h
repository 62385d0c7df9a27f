#pragma once
/// Include first in files that use ITK. Debian's ITK 5.2 headers accept only
/// GCC (itk_compiler_detection.h errors out for clang). Clang, used by the
/// sanitizer/libFuzzer build of the readers, supports every C++ feature those
/// headers probe for, so ITK's configuration is read as if by GCC 12.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wbuiltin-macro-redefined"
#pragma push_macro("__clang__")
#pragma push_macro("__GNUC__")
#pragma push_macro("__GNUC_MINOR__")
#undef __clang__
#undef __GNUC__
#undef __GNUC_MINOR__
#define __GNUC__ 12
#define __GNUC_MINOR__ 2
#include <itkConfigure.h>
#pragma pop_macro("__GNUC_MINOR__")
#pragma pop_macro("__GNUC__")
#pragma pop_macro("__clang__")
#pragma clang diagnostic pop
#endif
