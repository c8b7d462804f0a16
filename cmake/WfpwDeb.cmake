# WfpwDeb.cmake — the collector's Debian package, wfpwatch-collector_VERSION_ARCH.deb, by CPack.
#
# Included by collector/CMakeLists.txt. Only the `collector` install component is packaged: the
# binary and the SIEM poller in /usr/bin, the systemd unit, the sysusers file, the example
# configuration as a conffile (/etc/wfpwatch/collector.json) and the documentation. Runtime
# dependencies come from dpkg-shlibdeps (the libraries the binary really links); the
# maintainer scripts in deploy/linux/debian create the user and the state directory, leave the
# service stopped, and purge removes what they created. Built by deploy/build-packages.sh;
# tests/integration/test-deb.sh installs, runs, removes and purges it.
set(_deploy ${PROJECT_SOURCE_DIR}/deploy/linux)

install(TARGETS wfpwatch-collector RUNTIME DESTINATION bin COMPONENT collector)
install(PROGRAMS ${_deploy}/wfpwatch-poll DESTINATION bin COMPONENT collector)
install(FILES ${_deploy}/wfpwatch-collector.service DESTINATION lib/systemd/system COMPONENT collector)
install(FILES ${_deploy}/wfpwatch.sysusers DESTINATION lib/sysusers.d RENAME wfpwatch.conf COMPONENT collector)
install(FILES ${_deploy}/collector.json DESTINATION /etc/wfpwatch COMPONENT collector)
install(FILES ${PROJECT_SOURCE_DIR}/docs/deploy-collector.md ${PROJECT_SOURCE_DIR}/docs/collector.md
              ${PROJECT_SOURCE_DIR}/docs/enrollment.md
        DESTINATION share/doc/wfpwatch-collector COMPONENT collector)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/api DESTINATION share/doc/wfpwatch-collector COMPONENT collector)

file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/debian/conffiles "/etc/wfpwatch/collector.json\n")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME wfpwatch)
set(CPACK_PACKAGE_VENDOR wfpwatch)
set(CPACK_PACKAGE_CONTACT "wfpwatch maintainers <wfpwatch@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_WARN_ON_ABSOLUTE_INSTALL_DESTINATION OFF)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL collector)
set(CPACK_DEBIAN_COLLECTOR_PACKAGE_NAME wfpwatch-collector)
set(CPACK_DEBIAN_COLLECTOR_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_COLLECTOR_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_COLLECTOR_DESCRIPTION "wfpwatch collector: WFP block and filter-change events from Windows agents
 Accepts batches from wfpwatch agents over mutual TLS, stores each once, serves them to
 SIEMs over a REST API with cursors and sends alerts (webhook, syslog/CEF), including on
 filters that cut a security product off its cloud and on hosts that went silent.")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_COLLECTOR_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_COLLECTOR_PACKAGE_DEPENDS "curl, passwd")
set(CPACK_DEBIAN_COLLECTOR_PACKAGE_CONTROL_EXTRA
    ${_deploy}/debian/postinst ${_deploy}/debian/prerm ${_deploy}/debian/postrm
    ${CMAKE_CURRENT_BINARY_DIR}/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
