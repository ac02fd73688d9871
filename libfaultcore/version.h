// The library's release, as fc_library_version() reports it and trace dumps
// name it.  Bump with every tagged release.
#ifndef FAULTCORE_LIBFAULTCORE_VERSION_H_
#define FAULTCORE_LIBFAULTCORE_VERSION_H_

namespace faultcore {

inline constexpr char kLibraryVersion[] = "0.1.0";

}  // namespace faultcore

#endif  // FAULTCORE_LIBFAULTCORE_VERSION_H_
