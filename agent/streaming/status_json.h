#pragma once
// The error-stream messages of Kubernetes' remotecommand protocol v4 and later: a metav1.Status
// as JSON, with the exit code of a failed command as a NonZeroExitCode cause.

#include <string>

namespace podagent::streaming {

std::string SuccessStatusJson();
std::string ExitCodeStatusJson(int exit_code);
std::string ErrorStatusJson(const std::string& message);

}  // namespace podagent::streaming
