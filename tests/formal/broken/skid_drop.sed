# nn_skid with its stall path broken: the parked beat is never marked held, so
# a beat that arrives while the output stalls is lost.
s/tmp_valid_next = 1'b1;/tmp_valid_next = 1'b0;/
