# Warnings.cmake — warning policy for wfpwatch's own code.
#
# Our code builds warning-free under -Wall -Wextra and more; warnings are errors for our
# targets only (third-party code such as llhttp is compiled with its own flags).
function(wfpw_warnings target)
    target_compile_options(${target} PRIVATE
        -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
        -Wpointer-arith -Wformat=2 -Wundef -Wvla -Wno-unused-parameter)
endfunction()
