// Engine: the container engine seam. ProcessRunning and its swift-subprocess implementation, the
// docker/podman CLI as argv values (ContainerEngine, ContainerRunSpec, Mount), and engine detection.
// May use: Diagnostics, Support.
