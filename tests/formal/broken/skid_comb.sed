# nn_skid whose input ready depends combinationally on the output's ready.
s/^assign s_axis_tready = !tmp_valid_reg;/assign s_axis_tready = !tmp_valid_reg || m_axis_tready;/
